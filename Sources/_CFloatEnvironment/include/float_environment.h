#ifndef FASHION_FLOAT_ENVIRONMENT_H
#define FASHION_FLOAT_ENVIRONMENT_H

/// Makes the calling thread flush denormal results to zero and treat denormal inputs as
/// zero. Adam's moments for always-blank pixels decay into denormals, which slow every
/// update that touches them; training results are unaffected at Float precision.
void fashion_flush_denormals(void);

#endif
