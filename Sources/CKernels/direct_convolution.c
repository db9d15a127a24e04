// oneDNN's convolutions for the engine's Conv2d and ConvTranspose2d. Why: on the burgess net,
// im2col + sgemm spent half its CPU time unfolding columns (bv_im2col alone 24% of `bench conv`),
// while oneDNN's jit kernels on blocked layouts ran the 32-channel layers at 210–250 GFLOPS on
// one core, forward and both backward passes, reorders included (docs/performance.md).
#include "direct_convolution.h"
#include "channel_blocks.h"
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void omp_set_num_threads(int num_threads);

static dnnl_engine_t engine;
static dnnl_status_t engine_status = dnnl_runtime_error;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void create_engine(void) { engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0); }

/* A primitive with its own scratchpad (user-managed, so that two threads never share oneDNN's). */
typedef struct {
    dnnl_primitive_t primitive;
    dnnl_memory_t scratchpad;   /* NULL when the primitive needs none */
} runnable;

/* One operand of a pass as the engine stores it (`plain`, its pointer set per call) and as the
   primitive wants it (`laid_out`: the same memory when the layouts agree, else a buffer of
   oneDNN's and the reorder into it or out of it). */
typedef struct {
    dnnl_memory_t plain, laid_out;
    runnable reorder;
} operand;

/* forward: x, w → y (out1: the bias); data: dy, w → dx; weights: x, dy → dw, db. */
typedef struct {
    dnnl_primitive_desc_t pd;
    runnable run;
    operand in0, in1, out0, out1;
    int ready;
} pass;

struct bv_direct_conv {
    dnnl_stream_t stream;
    dnnl_memory_desc_t x_md, w_md, b_md, y_md;   /* as the engine stores them */
    dnnl_memory_desc_t x_any, w_any, y_any;      /* "any layout": oneDNN chooses */
    dnnl_dims_t strides, pad_low, pad_high;
    int relu;                                    /* forward applies max(·, 0) after the bias */
    pass forward, data, weights;
    float *zero_bias, *dw, *db;   /* a zero bias for bias-less forwards; backward-weights results */
    long weight_count, cout;
};

static dnnl_primitive_attr_t user_scratchpad(void) {
    dnnl_primitive_attr_t attr = NULL;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success) return NULL;
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    return attr;
}

static dnnl_status_t make_runnable(dnnl_primitive_desc_t pd, runnable *r) {
    dnnl_status_t s = dnnl_primitive_create(&r->primitive, pd);
    if (s != dnnl_success) return s;
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    r->scratchpad = NULL;
    if (md && dnnl_memory_desc_get_size(md) > 0) return dnnl_memory_create(&r->scratchpad, md, engine, DNNL_MEMORY_ALLOCATE);
    return dnnl_success;
}

static dnnl_status_t execute(dnnl_stream_t stream, runnable *r, int count, dnnl_exec_arg_t *args) {
    dnnl_exec_arg_t all[6];
    memcpy(all, args, sizeof(dnnl_exec_arg_t) * count);
    if (r->scratchpad) all[count++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, r->scratchpad};
    return dnnl_primitive_execute(r->primitive, stream, count, all);
}

/* Binds an operand stored as `plain_md` to the layout `wanted` of a primitive; `input` says which
   way the reorder runs. */
static dnnl_status_t bind(operand *op, const dnnl_memory_desc_t *plain_md, const dnnl_memory_desc_t *wanted, int input) {
    dnnl_status_t s = dnnl_memory_create(&op->plain, plain_md, engine, DNNL_MEMORY_NONE);
    if (s != dnnl_success) return s;
    if (dnnl_memory_desc_equal(plain_md, wanted)) { op->laid_out = op->plain; return dnnl_success; }
    if ((s = dnnl_memory_create(&op->laid_out, wanted, engine, DNNL_MEMORY_ALLOCATE)) != dnnl_success) return s;
    dnnl_primitive_desc_t rpd;
    dnnl_primitive_attr_t attr = user_scratchpad();
    s = input ? dnnl_reorder_primitive_desc_create(&rpd, plain_md, engine, wanted, engine, attr)
              : dnnl_reorder_primitive_desc_create(&rpd, wanted, engine, plain_md, engine, attr);
    dnnl_primitive_attr_destroy(attr);
    if (s != dnnl_success) return s;
    s = make_runnable(rpd, &op->reorder);
    dnnl_primitive_desc_destroy(rpd);
    return s;
}

static dnnl_status_t load(dnnl_stream_t stream, operand *op, const float *data) {
    dnnl_status_t s = dnnl_memory_set_data_handle(op->plain, (void *)data);
    if (s != dnnl_success || op->laid_out == op->plain) return s;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, op->plain}, {DNNL_ARG_TO, op->laid_out}};
    return execute(stream, &op->reorder, 2, args);
}

/* Points an output at `data` before its pass runs: the pass writes there itself when the layouts
   agree, else `store` reorders its result there afterwards. */
static dnnl_status_t aim(operand *op, float *data) {
    return dnnl_memory_set_data_handle(op->plain, data);
}

static dnnl_status_t store(dnnl_stream_t stream, operand *op) {
    if (op->laid_out == op->plain) return dnnl_success;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, op->laid_out}, {DNNL_ARG_TO, op->plain}};
    return execute(stream, &op->reorder, 2, args);
}

static const dnnl_memory_desc_t *query(dnnl_primitive_desc_t pd, dnnl_query_t what) {
    return dnnl_primitive_desc_query_md(pd, what, 0);
}

/* The pass's primitive and operands (queries: the layouts of its four operands; 0 = none). */
static dnnl_status_t prepare(pass *p, const dnnl_memory_desc_t *plain[4], const dnnl_query_t queries[4]) {
    dnnl_status_t s = make_runnable(p->pd, &p->run);
    if (s != dnnl_success) return s;
    operand *ops[4] = {&p->in0, &p->in1, &p->out0, &p->out1};
    for (int i = 0; i < 4; i++)
        if (queries[i] && (s = bind(ops[i], plain[i], query(p->pd, queries[i]), i < 2)) != dnnl_success) return s;
    return dnnl_success;
}

/* Whether oneDNN chose one of its jit kernels: its gemm-based fallbacks ran 48–80 GFLOPS on the
   burgess net's layers, slower than the engine's own im2col path. */
static int is_jit(dnnl_primitive_desc_t pd) {
    const char *name = "";
    return dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) == dnnl_success && strncmp(name, "jit", 3) == 0;
}

/* The descriptor of pass `which` (0 forward, 1 backward data, 2 backward weights) and its
   primitive descriptor; the backward passes take the forward one as their hint. */
static dnnl_status_t describe(bv_direct_conv *c, int which, dnnl_primitive_desc_t *pd) {
    dnnl_convolution_desc_t d;
    dnnl_status_t s = which == 0
        ? dnnl_convolution_forward_desc_init(&d, dnnl_forward_training, dnnl_convolution_direct, &c->x_any, &c->w_any, &c->b_md,
                                             &c->y_any, c->strides, c->pad_low, c->pad_high)
        : which == 1
        ? dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &c->x_any, &c->w_any, &c->y_any, c->strides,
                                                   c->pad_low, c->pad_high)
        : dnnl_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, &c->x_any, &c->w_any, &c->b_md, &c->y_any,
                                                      c->strides, c->pad_low, c->pad_high);
    if (s != dnnl_success) return s;
    dnnl_primitive_attr_t attr = user_scratchpad();
    if (which == 0 && c->relu) {
        dnnl_post_ops_t ops;
        if (dnnl_post_ops_create(&ops) == dnnl_success) {
            dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
            dnnl_primitive_attr_set_post_ops(attr, ops);
            dnnl_post_ops_destroy(ops);
        }
    }
    s = dnnl_primitive_desc_create(pd, &d, attr, engine, which == 0 ? NULL : c->forward.pd);
    dnnl_primitive_attr_destroy(attr);
    if (s == dnnl_success && !is_jit(*pd)) s = dnnl_unimplemented;
    return s;
}

static void dims4(dnnl_dims_t d, long a, long b, long c, long e) { d[0] = a; d[1] = b; d[2] = c; d[3] = e; }

bv_direct_conv *bv_direct_conv_create(long batch, long cin, long h, long w, long cout, long ho, long wo, long kernel,
                                      long stride, long pad_low, long pad_bottom, long pad_right, int source_blocked,
                                      int dest_blocked, int relu, int data_pass) {
    const long block = bv_channel_block();
    const dnnl_format_tag_t blocked = block == 16 ? dnnl_nChw16c : dnnl_nChw8c;
    if ((source_blocked && cin % block) || (dest_blocked && cout % block)) return NULL;
    // Kernels fix their thread count (and scratchpad) when their descriptors are made.
    omp_set_num_threads(1);
    pthread_once(&engine_once, create_engine);
    if (engine_status != dnnl_success) return NULL;
    bv_direct_conv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->weight_count = cout * cin * kernel * kernel;
    c->relu = relu;
    c->cout = cout;
    dnnl_dims_t xd, wd, yd, bd = {cout};
    dims4(xd, batch, cin, h, w); dims4(wd, cout, cin, kernel, kernel); dims4(yd, batch, cout, ho, wo);
    c->strides[0] = c->strides[1] = stride;
    c->pad_low[0] = c->pad_low[1] = pad_low;
    c->pad_high[0] = pad_bottom;
    c->pad_high[1] = pad_right;
    int ok = dnnl_stream_create(&c->stream, engine, dnnl_stream_default_flags) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&c->x_md, 4, xd, dnnl_f32, source_blocked ? blocked : dnnl_nchw) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&c->w_md, 4, wd, dnnl_f32, dnnl_oihw) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&c->y_md, 4, yd, dnnl_f32, dest_blocked ? blocked : dnnl_nchw) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&c->b_md, 1, bd, dnnl_f32, dnnl_x) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&c->x_any, 4, xd, dnnl_f32, dnnl_format_tag_any) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&c->w_any, 4, wd, dnnl_f32, dnnl_format_tag_any) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&c->y_any, 4, yd, dnnl_f32, dnnl_format_tag_any) == dnnl_success
        && describe(c, 0, &c->forward.pd) == dnnl_success
        && (!data_pass || describe(c, 1, &c->data.pd) == dnnl_success)
        && describe(c, 2, &c->weights.pd) == dnnl_success
        && (c->zero_bias = calloc(cout, sizeof(float))) && (c->dw = calloc(c->weight_count, sizeof(float)))
        && (c->db = calloc(cout, sizeof(float)));
    if (!ok) { bv_direct_conv_destroy(c); return NULL; }
    return c;
}

/* The pass's primitive, created on first use (a layer that never needs ∂x never compiles it). */
static dnnl_status_t ensure(bv_direct_conv *c, pass *p, int which) {
    if (p->ready) return dnnl_success;
    dnnl_status_t s;
    if (which == 0) {
        const dnnl_memory_desc_t *plain[4] = {&c->x_md, &c->w_md, &c->y_md, NULL};
        const dnnl_query_t q[4] = {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md, 0};
        s = prepare(p, plain, q);
    } else if (which == 1) {
        const dnnl_memory_desc_t *plain[4] = {&c->y_md, &c->w_md, &c->x_md, NULL};
        const dnnl_query_t q[4] = {dnnl_query_diff_dst_md, dnnl_query_weights_md, dnnl_query_diff_src_md, 0};
        s = prepare(p, plain, q);
    } else {
        const dnnl_memory_desc_t *plain[4] = {&c->x_md, &c->y_md, &c->w_md, NULL};
        const dnnl_query_t q[4] = {dnnl_query_src_md, dnnl_query_diff_dst_md, dnnl_query_diff_weights_md, 0};
        s = prepare(p, plain, q);
    }
    // The bias (forward) and its gradient (backward weights) are plain [cout] in every layout.
    if (s == dnnl_success && which != 1 && (s = dnnl_memory_create(&p->out1.plain, &c->b_md, engine, DNNL_MEMORY_NONE)) == dnnl_success)
        p->out1.laid_out = p->out1.plain;
    p->ready = s == dnnl_success;
    return s;
}

int bv_direct_conv_forward(bv_direct_conv *c, const float *x, const float *w, const float *b, float *y) {
    omp_set_num_threads(1);
    pass *p = &c->forward;
    dnnl_status_t s = ensure(c, p, 0);
    if (s == dnnl_success && (s = load(c->stream, &p->in0, x)) == dnnl_success && (s = load(c->stream, &p->in1, w)) == dnnl_success
        && (s = dnnl_memory_set_data_handle(p->out1.plain, (void *)(b ? b : c->zero_bias))) == dnnl_success
        && (s = aim(&p->out0, y)) == dnnl_success) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, p->in0.laid_out}, {DNNL_ARG_WEIGHTS, p->in1.laid_out},
                                   {DNNL_ARG_BIAS, p->out1.plain}, {DNNL_ARG_DST, p->out0.laid_out}};
        if ((s = execute(c->stream, &p->run, 4, args)) == dnnl_success) s = store(c->stream, &p->out0);
    }
    dnnl_stream_wait(c->stream);
    return s;
}

int bv_direct_conv_backward_data(bv_direct_conv *c, const float *dy, const float *w, float *dx) {
    if (!c->data.pd) return dnnl_invalid_arguments;   /* made without its data pass */
    omp_set_num_threads(1);
    pass *p = &c->data;
    dnnl_status_t s = ensure(c, p, 1);
    if (s == dnnl_success && (s = load(c->stream, &p->in0, dy)) == dnnl_success && (s = load(c->stream, &p->in1, w)) == dnnl_success
        && (s = aim(&p->out0, dx)) == dnnl_success) {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_DIFF_DST, p->in0.laid_out}, {DNNL_ARG_WEIGHTS, p->in1.laid_out},
                                   {DNNL_ARG_DIFF_SRC, p->out0.laid_out}};
        if ((s = execute(c->stream, &p->run, 3, args)) == dnnl_success) s = store(c->stream, &p->out0);
    }
    dnnl_stream_wait(c->stream);
    return s;
}

int bv_direct_conv_backward_weights(bv_direct_conv *c, const float *x, const float *dy, float *dw, float *db) {
    omp_set_num_threads(1);
    pass *p = &c->weights;
    dnnl_status_t s = ensure(c, p, 2);
    if (s == dnnl_success && (s = load(c->stream, &p->in0, x)) == dnnl_success && (s = load(c->stream, &p->in1, dy)) == dnnl_success
        && (s = dnnl_memory_set_data_handle(p->out1.plain, c->db)) == dnnl_success && (s = aim(&p->out0, c->dw)) == dnnl_success) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, p->in0.laid_out}, {DNNL_ARG_DIFF_DST, p->in1.laid_out},
                                   {DNNL_ARG_DIFF_WEIGHTS, p->out0.laid_out}, {DNNL_ARG_DIFF_BIAS, p->out1.plain}};
        if ((s = execute(c->stream, &p->run, 4, args)) == dnnl_success) s = store(c->stream, &p->out0);
    }
    dnnl_stream_wait(c->stream);
    if (s != dnnl_success) return s;
    for (long i = 0; i < c->weight_count; i++) dw[i] += c->dw[i];
    if (db) for (long i = 0; i < c->cout; i++) db[i] += c->db[i];
    return 0;
}

static void release_runnable(runnable *r) {
    if (r->primitive) dnnl_primitive_destroy(r->primitive);
    if (r->scratchpad) dnnl_memory_destroy(r->scratchpad);
}

static void release_operand(operand *op) {
    if (op->laid_out && op->laid_out != op->plain) dnnl_memory_destroy(op->laid_out);
    if (op->plain) dnnl_memory_destroy(op->plain);
    release_runnable(&op->reorder);
}

static void release_pass(pass *p) {
    release_runnable(&p->run);
    release_operand(&p->in0); release_operand(&p->in1); release_operand(&p->out0); release_operand(&p->out1);
    if (p->pd) dnnl_primitive_desc_destroy(p->pd);
}

void bv_direct_conv_destroy(bv_direct_conv *c) {
    if (!c) return;
    release_pass(&c->forward); release_pass(&c->data); release_pass(&c->weights);
    if (c->stream) dnnl_stream_destroy(c->stream);
    free(c->zero_bias); free(c->dw); free(c->db);
    free(c);
}
