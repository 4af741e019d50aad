/* The calculator actor in C: the same methods and JSON as the AssemblyScript one.
 * Build: npm run build:wasm (clang --target=wasm32, see scripts/build-wasm.ts). */
#include "loom.h"

static char *result(double x) {
  char buf[48] = "{\"result\":";
  int n = 10;
  n += loom_format_number(x, buf + n);
  buf[n++] = '}';
  return loom_frame(buf, n);
}

static int operands(const char *in, int len, double *a, double *b) {
  int oka, okb;
  *a = loom_json_number(in, len, "a", &oka);
  *b = loom_json_number(in, len, "b", &okb);
  if (!oka || !okb) { loom_error("input needs numbers a and b"); return 0; }
  return 1;
}

LOOM_EXPORT("add") char *add(const char *in, int len) {
  double a, b;
  return operands(in, len, &a, &b) ? result(a + b) : 0;
}

LOOM_EXPORT("multiply") char *multiply(const char *in, int len) {
  double a, b;
  return operands(in, len, &a, &b) ? result(a * b) : 0;
}

LOOM_EXPORT("divide") char *divide(const char *in, int len) {
  double a, b;
  if (!operands(in, len, &a, &b)) return 0;
  if (b == 0) { loom_error("division by zero"); return 0; }
  return result(a / b);
}
