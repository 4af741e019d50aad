/* Loom's WebAssembly actor ABI for C (see docs/wasm.md). Header-only: include it
 * in exactly one translation unit. Build with clang --target=wasm32 and
 * -Wl,--import-memory so the host owns (and caps) the memory. */
#ifndef LOOM_H
#define LOOM_H

typedef unsigned int u32;

#define LOOM_IMPORT(name) __attribute__((import_module("loom"), import_name(name)))
#define LOOM_EXPORT(name) __attribute__((export_name(name)))

LOOM_IMPORT("log") void loom_log(const char *ptr, int len);
LOOM_IMPORT("fail") void loom_fail(const char *ptr, int len);

/* No libc: the compiler may still emit calls to these two for copies and initializers. */
void *memcpy(void *dst, const void *src, unsigned long n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int c, unsigned long n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

extern unsigned char __heap_base;
static unsigned long loom_heap_top;

/* The host asks for input buffers here; a bump allocator is enough, because
 * every call runs on a fresh instance. Returns 0 when memory cannot grow. */
LOOM_EXPORT("loom_alloc") void *loom_alloc(int len) {
  if (!loom_heap_top) loom_heap_top = (unsigned long)&__heap_base;
  unsigned long p = (loom_heap_top + 7) & ~7UL;
  unsigned long end = p + (unsigned long)len;
  unsigned long size = __builtin_wasm_memory_size(0) * 65536UL;
  if (end > size && __builtin_wasm_memory_grow(0, (end - size + 65535) / 65536) == (unsigned long)-1) return 0;
  loom_heap_top = end;
  return (void *)p;
}

static int loom_strlen(const char *s) {
  int n = 0;
  while (s[n]) n++;
  return n;
}

/* A result frame: u32 length, then the bytes. */
static char *loom_frame(const char *json, int len) {
  char *f = loom_alloc(len + 4);
  if (!f) return 0;
  *(u32 *)f = (u32)len;
  for (int i = 0; i < len; i++) f[4 + i] = json[i];
  return f;
}

static void loom_error(const char *msg) { loom_fail(msg, loom_strlen(msg)); }

/* The number after "key": at the top level of a flat JSON object; sets *ok. */
static double loom_json_number(const char *json, int len, const char *key, int *ok) {
  int klen = loom_strlen(key);
  *ok = 0;
  for (int i = 0; i + klen + 2 < len; i++) {
    if (json[i] != '"') continue;
    int m = 1;
    for (int k = 0; k < klen; k++) if (json[i + 1 + k] != key[k]) { m = 0; break; }
    if (!m || json[i + 1 + klen] != '"') continue;
    int j = i + 2 + klen;
    while (j < len && (json[j] == ' ' || json[j] == ':')) j++;
    double sign = 1, v = 0, scale = 0;
    if (j < len && json[j] == '-') { sign = -1; j++; }
    int digits = 0;
    for (; j < len; j++) {
      char c = json[j];
      if (c >= '0' && c <= '9') { v = v * 10 + (c - '0'); if (scale) scale *= 10; digits++; }
      else if (c == '.' && !scale) scale = 1;
      else break;
    }
    if (!digits) return 0;
    *ok = 1;
    return sign * (scale ? v / scale : v);
  }
  return 0;
}

/* Writes x as JSON into out (integers exactly, others with up to 6 decimals); returns the length. */
static int loom_format_number(double x, char *out) {
  int n = 0;
  if (x != x || x > 9e15 || x < -9e15) { out[0] = 'n'; out[1] = 'u'; out[2] = 'l'; out[3] = 'l'; return 4; }
  if (x < 0) { out[n++] = '-'; x = -x; }
  long long whole = (long long)x;
  long long frac = (long long)((x - (double)whole) * 1000000.0 + 0.5);
  if (frac >= 1000000) { whole++; frac -= 1000000; }
  char tmp[24];
  int t = 0;
  do { tmp[t++] = (char)('0' + whole % 10); whole /= 10; } while (whole);
  while (t) out[n++] = tmp[--t];
  if (frac) {
    out[n++] = '.';
    char d[6];
    for (int i = 5; i >= 0; i--) { d[i] = (char)('0' + frac % 10); frac /= 10; }
    int last = 5;
    while (last > 0 && d[last] == '0') last--;
    for (int i = 0; i <= last; i++) out[n++] = d[i];
  }
  return n;
}

#endif
