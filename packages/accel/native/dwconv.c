// terramae accel: NHWC depthwise convolution (channel multiplier 1), any kernel size, stride,
// dilation and padding, vectorised over channels, with runtime CPU dispatch.
//
//   out[n, oy, ox, c] = sum over (kh, kw) in row-major order of
//                       x[n, oy*sh - pt + kh*dh, ox*sw - pl + kw*dw, c] * w[kh, kw, c]
//
// Taps that fall in the zero padding are skipped. This is the op tfjs calls
// DepthwiseConv2dNative; terramae also computes both of its gradients with it.
#include <string.h>
#include "dwconv.h"

#define DW_BODY                                                                                  \
  for (long n = 0; n < p->n; n++)                                                                \
    for (long oy = 0; oy < p->oh; oy++) {                                                        \
      float *orow = out + (n * p->oh + oy) * p->ow * p->c;                                       \
      memset(orow, 0, sizeof(float) * p->ow * p->c);                                             \
      for (long kh = 0; kh < p->kh; kh++) {                                                      \
        long iy = oy * p->sh - p->pt + kh * p->dh;                                               \
        if (iy < 0 || iy >= p->h) continue;                                                      \
        const float *xrow = x + (n * p->h + iy) * p->w * p->c;                                   \
        for (long kw = 0; kw < p->kw; kw++) {                                                    \
          const float *wk = w + (kh * p->kw + kw) * p->c;                                        \
          long off = kw * p->dw - p->pl;                                                         \
          /* valid ox: 0 <= ox*sw + off < w */                                                   \
          long lo = off >= 0 ? 0 : (-off + p->sw - 1) / p->sw;                                   \
          long hi = p->w - off <= 0 ? 0 : (p->w - off + p->sw - 1) / p->sw;                      \
          if (hi > p->ow) hi = p->ow;                                                            \
          for (long ox = lo; ox < hi; ox++) {                                                    \
            const float *xi = xrow + (ox * p->sw + off) * p->c;                                  \
            float *o = orow + ox * p->c;                                                         \
            for (long c = 0; c < p->c; c++) o[c] += xi[c] * wk[c];                               \
          }                                                                                      \
        }                                                                                        \
      }                                                                                          \
    }

__attribute__((target("avx512f"))) static void dw_avx512(const dw_params *p, const float *x, const float *w, float *out) { DW_BODY }
__attribute__((target("avx2,fma"))) static void dw_avx2(const dw_params *p, const float *x, const float *w, float *out) { DW_BODY }
static void dw_generic(const dw_params *p, const float *x, const float *w, float *out) { DW_BODY }

static void (*g_dw)(const dw_params *, const float *, const float *, float *) = dw_generic;

void dw_pick(int isa) {
  g_dw = isa == 3 ? dw_avx512 : isa == 2 ? dw_avx2 : dw_generic;
}

void dw_run(const dw_params *p, const float *x, const float *w, float *out) {
  g_dw(p, x, w, out);
}
