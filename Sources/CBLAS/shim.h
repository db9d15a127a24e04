// OpenBLAS: CBLAS for sgemm and the LAPACK symbols (ssyevd_) that OpenBLAS exports.
#include <cblas.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/// LAPACK symmetric eigen-decomposition (divide and conquer), Fortran calling convention.
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork, int *info);

/// The kernel family OpenBLAS chose at load time (e.g. "Haswell", "SkylakeX").
char *openblas_get_corename(void);

/// OpenBLAS's pthread build starts its helper threads in a library constructor, before main, with
/// the signal mask they were born with; these stop them and start them again (under the caller's
/// mask). Both are exported by libopenblas 0.3 (its own fork handler uses them).
void blas_thread_shutdown_(void);
int blas_thread_init(void);
