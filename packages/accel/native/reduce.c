// terramae accel: sum of a float32 array over one contiguous block of axes, seen as
// [outer, r, inner] -> [outer, inner]. Each output is accumulated in increasing r, the order the
// stock tfjs kernels use, so results equal theirs bit for bit; the vector lanes run across inner.
#include <string.h>
#include "reduce.h"

#define SUM_BODY                                                                \
  for (long o = 0; o < outer; o++) {                                            \
    float *dst = out + o * inner;                                               \
    const float *src = x + o * r * inner;                                       \
    if (inner == 1) {                                                           \
      float s = 0.f;                                                            \
      for (long j = 0; j < r; j++) s += src[j];                                 \
      dst[0] = s;                                                               \
      continue;                                                                 \
    }                                                                           \
    memset(dst, 0, sizeof(float) * inner);                                      \
    for (long j = 0; j < r; j++) {                                              \
      const float *row = src + j * inner;                                       \
      for (long i = 0; i < inner; i++) dst[i] += row[i];                        \
    }                                                                           \
  }

__attribute__((target("avx512f"))) static void sum_avx512(const float *x, float *out, long outer, long r, long inner) { SUM_BODY }
__attribute__((target("avx2"))) static void sum_avx2(const float *x, float *out, long outer, long r, long inner) { SUM_BODY }
static void sum_generic(const float *x, float *out, long outer, long r, long inner) { SUM_BODY }

static void (*g_sum)(const float *, float *, long, long, long) = sum_generic;

void sum_pick(int isa) {
  g_sum = isa == 3 ? sum_avx512 : isa == 2 ? sum_avx2 : sum_generic;
}

void sum_run(const float *x, float *out, long outer, long r, long inner) {
  g_sum(x, out, outer, r, inner);
}
