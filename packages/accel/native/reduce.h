// Sum over a contiguous block of axes (see reduce.c).
#ifndef TERRAMAE_REDUCE_H
#define TERRAMAE_REDUCE_H

// 3 = AVX-512F, 2 = AVX2, anything else = portable C.
void sum_pick(int isa);
void sum_run(const float *x, float *out, long outer, long r, long inner);

#endif
