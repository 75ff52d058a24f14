#include <cblas.h>
// Declared by OpenBLAS's cblas.h; repeated here for BLAS builds that lack them.
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
