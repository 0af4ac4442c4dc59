/*
 * hearth_blas: a minimal N-API binding to OpenBLAS's sgemm for the local model. It reads
 * and writes float32 data in place, inside any ArrayBuffer (notably the wasm backend's
 * heap) or TypedArray, so tfjs kernels can hand their products to BLAS without copies.
 *
 * sgemm(a, aOff, b, bOff, c, cOff, batch, M, N, K, transA, transB, strideA, strideB)
 *   for i in [0, batch): C_i (M x N) = op(A_i) (M x K) @ op(B_i) (K x N), row-major;
 *   offsets and strides in float elements (stride 0 broadcasts one matrix).
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>

static int get_data(napi_env env, napi_value v, float **out, size_t *len) {
  bool is_ab = false;
  void *data = NULL;
  size_t bytes = 0;
  napi_is_arraybuffer(env, v, &is_ab);
  if (is_ab) {
    if (napi_get_arraybuffer_info(env, v, &data, &bytes) != napi_ok) return 0;
  } else {
    bool is_ta = false;
    napi_is_typedarray(env, v, &is_ta);
    if (!is_ta) return 0;
    napi_typedarray_type type;
    size_t n;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, v, &type, &n, &data, &ab, &off) != napi_ok || type != napi_float32_array) return 0;
    bytes = n * 4;
  }
  *out = (float *)data;
  *len = bytes / 4;
  return 1;
}

static int64_t get_int(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x);
  return x;
}

static napi_value throw_error(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 14) return throw_error(env, "sgemm: expected 14 arguments");
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!get_data(env, argv[0], &a, &la) || !get_data(env, argv[2], &b, &lb) || !get_data(env, argv[4], &c, &lc)) {
    return throw_error(env, "sgemm: a, b and c must be ArrayBuffers or Float32Arrays");
  }
  int64_t aOff = get_int(env, argv[1]), bOff = get_int(env, argv[3]), cOff = get_int(env, argv[5]);
  int64_t batch = get_int(env, argv[6]), M = get_int(env, argv[7]), N = get_int(env, argv[8]), K = get_int(env, argv[9]);
  bool tA = false, tB = false;
  napi_get_value_bool(env, argv[10], &tA);
  napi_get_value_bool(env, argv[11], &tB);
  int64_t sA = get_int(env, argv[12]), sB = get_int(env, argv[13]);
  if (batch < 0 || M < 0 || N < 0 || K < 0 || aOff < 0 || bOff < 0 || cOff < 0 || sA < 0 || sB < 0) return throw_error(env, "sgemm: negative size");
  /* Bounds: every matrix touched must lie inside its buffer. */
  if (batch > 0 && ((size_t)(aOff + (batch - 1) * sA + M * K) > la || (size_t)(bOff + (batch - 1) * sB + K * N) > lb ||
                    (size_t)(cOff + batch * M * N) > lc)) {
    return throw_error(env, "sgemm: operand out of bounds");
  }
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.0f,
                a + aOff + i * sA, tA ? (int)M : (int)K, b + bOff + i * sB, tB ? (int)K : (int)N, 0.0f, c + cOff + i * M * N, (int)N);
  }
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  openblas_set_num_threads((int)get_int(env, argv[0]));
  return NULL;
}

static napi_value get_config(napi_env env, napi_callback_info info) {
  napi_value s;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &s);
  return s;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"config", NULL, get_config, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
