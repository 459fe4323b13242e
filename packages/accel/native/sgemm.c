// terramae accel: a cache-blocked, packed single-precision GEMM with runtime CPU dispatch
// (AVX-512F, AVX2+FMA, portable C), exposed to Node through Node-API.
//
//   C[b] = op(A[b]) . op(B[b]) (+ bias, activation), row-major, op = identity or transpose.
//
// The packing routines read A and B through their strides, so all four transpose combinations
// run the same micro-kernel. Each output element is a plain sum over k in increasing order within
// a KC block; blocks are added in order.
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dwconv.h"
#include "reduce.h"

#define KC 256
#define MC 144
#define NC 2048
#define MR 6

typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef float v8 __attribute__((vector_size(32), aligned(4)));

static inline float get(const float *m, long ld, int trans, long r, long c) {
  return trans ? m[c * ld + r] : m[r * ld + c];
}

// Pack rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels: ap[panel][k][r].
static void pack_a(const float *a, long lda, int ta, long i0, long mc, long p0, long kc, float *ap) {
  for (long ir = 0; ir < mc; ir += MR) {
    long mr = mc - ir < MR ? mc - ir : MR;
    for (long k = 0; k < kc; k++) {
      for (long r = 0; r < mr; r++) ap[k * MR + r] = get(a, lda, ta, i0 + ir + r, p0 + k);
      for (long r = mr; r < MR; r++) ap[k * MR + r] = 0.f;
    }
    ap += kc * MR;
  }
}

// Pack rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column panels: bp[panel][k][c].
static void pack_b(const float *b, long ldb, int tb, long p0, long kc, long j0, long nc, int nr, float *bp) {
  for (long jr = 0; jr < nc; jr += nr) {
    long w = nc - jr < nr ? nc - jr : nr;
    for (long k = 0; k < kc; k++) {
      float *dst = bp + k * nr;
      if (!tb && w == nr) {
        memcpy(dst, b + (p0 + k) * ldb + j0 + jr, sizeof(float) * nr);
      } else {
        for (long c = 0; c < w; c++) dst[c] = get(b, ldb, tb, p0 + k, j0 + jr + c);
        for (long c = w; c < nr; c++) dst[c] = 0.f;
      }
    }
    bp += kc * nr;
  }
}

// Micro-kernels: acc[MR][NR] = sum_k ap[k][r] * bp[k][c]; then C (+)= acc on the valid mr x nr corner.
#define KERNEL_BODY(VT, NV, W)                                                                   \
  VT acc[MR][NV];                                                                                \
  for (int r = 0; r < MR; r++)                                                                   \
    for (int v = 0; v < NV; v++) acc[r][v] = (VT){0};                                            \
  for (long k = 0; k < kc; k++) {                                                                \
    VT bv[NV];                                                                                   \
    for (int v = 0; v < NV; v++) memcpy(&bv[v], bp + k * (NV * W) + v * W, sizeof(VT));         \
    for (int r = 0; r < MR; r++) {                                                               \
      VT av = (VT){0} + ap[k * MR + r];                                                          \
      for (int v = 0; v < NV; v++) acc[r][v] += av * bv[v];                                      \
    }                                                                                            \
  }                                                                                              \
  float tmp[MR][NV * W];                                                                         \
  for (int r = 0; r < MR; r++)                                                                   \
    for (int v = 0; v < NV; v++) memcpy(&tmp[r][v * W], &acc[r][v], sizeof(VT));               \
  for (long r = 0; r < mr; r++) {                                                                \
    float *cr = c + r * ldc;                                                                     \
    if (accumulate)                                                                              \
      for (long j = 0; j < nr; j++) cr[j] += tmp[r][j];                                          \
    else                                                                                         \
      for (long j = 0; j < nr; j++) cr[j] = tmp[r][j];                                           \
  }

typedef void (*kernel_fn)(long kc, const float *ap, const float *bp, float *c, long ldc, long mr, long nr, int accumulate);

__attribute__((target("avx512f"))) static void kernel_avx512(long kc, const float *ap, const float *bp, float *c, long ldc,
                                                              long mr, long nr, int accumulate) {
  KERNEL_BODY(v16, 2, 16)
}

__attribute__((target("avx2,fma"))) static void kernel_avx2(long kc, const float *ap, const float *bp, float *c, long ldc,
                                                             long mr, long nr, int accumulate) {
  KERNEL_BODY(v8, 2, 8)
}

static void kernel_generic(long kc, const float *ap, const float *bp, float *c, long ldc, long mr, long nr, int accumulate) {
  float acc[MR][8] = {{0}};
  for (long k = 0; k < kc; k++)
    for (int r = 0; r < MR; r++)
      for (int j = 0; j < 8; j++) acc[r][j] += ap[k * MR + r] * bp[k * 8 + j];
  for (long r = 0; r < mr; r++)
    for (long j = 0; j < nr; j++) c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
}

static kernel_fn g_kernel = 0;
static int g_nr = 0;
static const char *g_isa = "none";

static void pick_kernel(int force) {
  __builtin_cpu_init();
  if ((force == 0 || force == 3) && __builtin_cpu_supports("avx512f")) {
    g_kernel = kernel_avx512, g_nr = 32, g_isa = "avx512f", dw_pick(3), sum_pick(3);
  } else if ((force == 0 || force == 2) && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    g_kernel = kernel_avx2, g_nr = 16, g_isa = "avx2+fma", dw_pick(2), sum_pick(2);
  } else {
    g_kernel = kernel_generic, g_nr = 8, g_isa = "generic", dw_pick(1), sum_pick(1);
  }
}

// One matrix product C[m x n] = op(A) op(B), with op(A) m x k and op(B) k x n.
static int gemm(long m, long n, long k, const float *a, long lda, int ta, const float *b, long ldb, int tb, float *c, long ldc) {
  const int nr = g_nr;
  float *ap = aligned_alloc(64, sizeof(float) * ((MC + MR) * KC));
  float *bp = aligned_alloc(64, sizeof(float) * ((NC + 32) * KC));
  if (!ap || !bp) {
    free(ap), free(bp);
    return 0;
  }
  if (k == 0)
    for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(float) * n);
  for (long jc = 0; jc < n; jc += NC) {
    long nc = n - jc < NC ? n - jc : NC;
    for (long pc = 0; pc < k; pc += KC) {
      long kc = k - pc < KC ? k - pc : KC;
      pack_b(b, ldb, tb, pc, kc, jc, nc, nr, bp);
      for (long ic = 0; ic < m; ic += MC) {
        long mc = m - ic < MC ? m - ic : MC;
        pack_a(a, lda, ta, ic, mc, pc, kc, ap);
        for (long jr = 0; jr < nc; jr += nr) {
          long w = nc - jr < nr ? nc - jr : nr;
          for (long ir = 0; ir < mc; ir += MR) {
            long h = mc - ir < MR ? mc - ir : MR;
            g_kernel(kc, ap + (ir / MR) * kc * MR, bp + (jr / nr) * kc * nr, c + (ic + ir) * ldc + jc + jr, ldc, h, w, pc > 0);
          }
        }
      }
    }
  }
  free(ap), free(bp);
  return 1;
}

// ---------------------------------------------------------------- Node-API glue
static float *typed_f32(napi_env env, napi_value v, size_t *len) {
  napi_typedarray_type type;
  void *data = 0;
  size_t length = 0;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, 0, 0) != napi_ok || type != napi_float32_array) return 0;
  if (len) *len = length;
  return (float *)data;
}

static double num(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

// sgemm(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride, bias|null, activation)
// activation: 0 linear, 1 relu, 2 relu6. bias: n values added to every row (or null).
static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  napi_get_cb_info(env, info, &argc, argv, 0, 0);
  if (argc < 11) {
    napi_throw_type_error(env, 0, "sgemm: expected at least 11 arguments");
    return 0;
  }
  size_t la = 0, lb = 0, lc = 0, lbias = 0;
  const float *a = typed_f32(env, argv[0], &la);
  const float *b = typed_f32(env, argv[1], &lb);
  float *c = typed_f32(env, argv[2], &lc);
  long batch = (long)num(env, argv[3]), m = (long)num(env, argv[4]), n = (long)num(env, argv[5]), k = (long)num(env, argv[6]);
  int ta = (int)num(env, argv[7]), tb = (int)num(env, argv[8]);
  long sa = (long)num(env, argv[9]), sb = (long)num(env, argv[10]);
  const float *bias = 0;
  int act = 0;
  if (argc > 11) {
    napi_valuetype t;
    napi_typeof(env, argv[11], &t);
    if (t != napi_null && t != napi_undefined) bias = typed_f32(env, argv[11], &lbias);
  }
  if (argc > 12) act = (int)num(env, argv[12]);
  if ((!a && m * k > 0) || (!b && k * n > 0) || (!c && m * n > 0)) {
    napi_throw_type_error(env, 0, "sgemm: a, b and c must be Float32Arrays");
    return 0;
  }
  if ((size_t)((batch - 1) * sa + m * k) > la || (size_t)((batch - 1) * sb + k * n) > lb || (size_t)(batch * m * n) > lc ||
      (bias && lbias < (size_t)n)) {
    napi_throw_range_error(env, 0, "sgemm: an array is shorter than the shapes need");
    return 0;
  }
  long lda = ta ? m : k, ldb = tb ? k : n;
  for (long i = 0; i < batch; i++) {
    float *ci = c + i * m * n;
    if (!gemm(m, n, k, a + i * sa, lda, ta, b + i * sb, ldb, tb, ci, n)) {
      napi_throw_error(env, 0, "sgemm: out of memory for packing buffers");
      return 0;
    }
    if (bias || act) {
      for (long r = 0; r < m; r++) {
        float *row = ci + r * n;
        if (bias)
          for (long j = 0; j < n; j++) row[j] += bias[j];
        if (act == 1)
          for (long j = 0; j < n; j++) row[j] = row[j] > 0.f ? row[j] : 0.f;
        else if (act == 2)
          for (long j = 0; j < n; j++) row[j] = row[j] > 0.f ? (row[j] < 6.f ? row[j] : 6.f) : 0.f;
      }
    }
  }
  return 0;
}

// isa(force?) -> name of the kernel in use; force: 0 best, 1 generic, 2 avx2, 3 avx512.
static napi_value js_isa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, 0, 0);
  if (argc >= 1) {
    napi_valuetype t;
    napi_typeof(env, argv[0], &t);
    if (t == napi_number) pick_kernel((int)num(env, argv[0]));
  }
  napi_value out;
  napi_create_string_utf8(env, g_isa, NAPI_AUTO_LENGTH, &out);
  return out;
}

// dwconv(x, w, out, n, h, w, c, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl): see dwconv.c.
static napi_value js_dwconv(napi_env env, napi_callback_info info) {
  size_t argc = 17;
  napi_value argv[17];
  napi_get_cb_info(env, info, &argc, argv, 0, 0);
  if (argc < 17) {
    napi_throw_type_error(env, 0, "dwconv: expected 17 arguments");
    return 0;
  }
  size_t lx = 0, lw = 0, lo = 0;
  const float *x = typed_f32(env, argv[0], &lx);
  const float *w = typed_f32(env, argv[1], &lw);
  float *out = typed_f32(env, argv[2], &lo);
  if (!x || !w || !out) {
    napi_throw_type_error(env, 0, "dwconv: x, w and out must be Float32Arrays");
    return 0;
  }
  long v[14];
  for (int i = 0; i < 14; i++) v[i] = (long)num(env, argv[3 + i]);
  dw_params p = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
  int bad = 0;
  for (int i = 0; i < 12; i++) bad |= v[i] <= 0 && !(i >= 6 && i <= 7 && v[i] == 0);
  if (bad || p.pt < 0 || p.pl < 0 || (size_t)(p.n * p.h * p.w * p.c) > lx || (size_t)(p.kh * p.kw * p.c) > lw || (size_t)(p.n * p.oh * p.ow * p.c) > lo) {
    napi_throw_range_error(env, 0, "dwconv: shapes are invalid or an array is shorter than they need");
    return 0;
  }
  dw_run(&p, x, w, out);
  return 0;
}

// sumAxes(x, out, outer, r, inner): out[o, i] = sum_j x[o, j, i] (see reduce.c).
static napi_value js_sum_axes(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, 0, 0);
  if (argc < 5) {
    napi_throw_type_error(env, 0, "sumAxes: expected 5 arguments");
    return 0;
  }
  size_t lx = 0, lo = 0;
  const float *x = typed_f32(env, argv[0], &lx);
  float *out = typed_f32(env, argv[1], &lo);
  if (!x || !out) {
    napi_throw_type_error(env, 0, "sumAxes: x and out must be Float32Arrays");
    return 0;
  }
  long outer = (long)num(env, argv[2]), r = (long)num(env, argv[3]), inner = (long)num(env, argv[4]);
  if (outer < 0 || r < 0 || inner < 0 || (size_t)(outer * r * inner) > lx || (size_t)(outer * inner) > lo) {
    napi_throw_range_error(env, 0, "sumAxes: shapes are invalid or an array is shorter than they need");
    return 0;
  }
  sum_run(x, out, outer, r, inner);
  return 0;
}

static napi_value init(napi_env env, napi_value exports) {
  pick_kernel(0);
  napi_value f;
  napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, js_sgemm, 0, &f);
  napi_set_named_property(env, exports, "sgemm", f);
  napi_create_function(env, "isa", NAPI_AUTO_LENGTH, js_isa, 0, &f);
  napi_set_named_property(env, exports, "isa", f);
  napi_create_function(env, "dwconv", NAPI_AUTO_LENGTH, js_dwconv, 0, &f);
  napi_set_named_property(env, exports, "dwconv", f);
  napi_create_function(env, "sumAxes", NAPI_AUTO_LENGTH, js_sum_axes, 0, &f);
  napi_set_named_property(env, exports, "sumAxes", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
