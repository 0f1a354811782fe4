#include <stdio.h>
#include <histedit.h>
#include <sys/ioctl.h>

/* el_set, el_get and history(3) are variadic, which Swift cannot call: one fixed-signature
   wrapper per operation the REPL uses. */

static inline int bpfrepl_el_set_prompt(EditLine *el, char *(*f)(EditLine *)) { return el_set(el, EL_PROMPT, f); }
static inline int bpfrepl_el_set_getcfn(EditLine *el, el_rfunc_t f) { return el_set(el, EL_GETCFN, f); }
static inline int bpfrepl_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int bpfrepl_el_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int bpfrepl_el_set_hist(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int bpfrepl_el_addfn(EditLine *el, const char *name, const char *help,
                                   unsigned char (*f)(EditLine *, int)) {
  return el_set(el, EL_ADDFN, name, help, f);
}
static inline int bpfrepl_el_bind(EditLine *el, const char *key, const char *fn) {
  return el_set(el, EL_BIND, key, fn, (const char *)NULL);
}
/* Forget what libedit believes is on screen and draw prompt and line again from the cursor. */
static inline int bpfrepl_el_refresh(EditLine *el) { return el_set(el, EL_REFRESH); }

static inline int bpfrepl_history_setsize(History *h, int n) { HistEvent ev; return history(h, &ev, H_SETSIZE, n); }
static inline int bpfrepl_history_setunique(History *h, int on) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, on); }
static inline int bpfrepl_history_load(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_LOAD, path); }
static inline int bpfrepl_history_save(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_SAVE, path); }
/* The most recent entry, or NULL. */
static inline const char *bpfrepl_history_newest(History *h) {
  HistEvent ev;
  return history(h, &ev, H_FIRST) == 0 ? ev.str : NULL;
}
static inline int bpfrepl_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }

/* Columns a character takes on a terminal (glibc declares it only with _XOPEN_SOURCE). */
extern int wcwidth(wchar_t c);

/* Terminal width, 0 if unknown (ioctl is variadic too). */
static inline int bpfrepl_term_columns(int fd) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}
