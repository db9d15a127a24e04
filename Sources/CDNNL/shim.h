// oneDNN (Debian's libdnnl-dev 2.6): its sgemm, which jit-compiles kernels for the CPU it runs on
// (AVX-512 here) and is not affected by OPENBLAS_CORETYPE. Built on OpenMP (libgomp).
#include <oneapi/dnnl/dnnl.h>

// libgomp's thread-count control (declared here: Swift's clang does not see GCC's omp.h).
// The engine holds oneDNN to one thread per call and splits products across cores itself (BLAS.sgemm).
void omp_set_num_threads(int num_threads);
