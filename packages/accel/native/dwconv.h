// Depthwise convolution of dwconv.c (see there for the formula).
#ifndef TERRAMAE_DWCONV_H
#define TERRAMAE_DWCONV_H

typedef struct {
  long n, h, w, c;   // input NHWC
  long kh, kw;       // filter [kh, kw, c, 1]
  long oh, ow;       // output spatial size
  long sh, sw;       // strides
  long dh, dw;       // dilations
  long pt, pl;       // zero padding before the first row / column
} dw_params;

// 3 = AVX-512F, 2 = AVX2+FMA, anything else = portable C.
void dw_pick(int isa);
void dw_run(const dw_params *p, const float *x, const float *w, float *out);

#endif
