# SPDX-License-Identifier: Apache-2.0
# Used by scripts/footprint.sh: reads the call graphs gcc writes with -fcallgraph-info=su (all
# objects of src/, concatenated) and prints, for each entry point (a public function nothing in
# src/ calls), "bytes<TAB>name<TAB>chain": the deepest sum of our own stack frames along one call
# chain. Callees outside src/ (mbedTLS, BearSSL, libc) and indirect calls (port hooks,
# callbacks) count 0. Exits 1 if a function of src/ can reach itself (recursion).
function short(t) { sub(/^.*\//, "", t); sub(/^[^:]*:/, "", t); return t }
function depth(f,    n, i, c, d, best, bestc, parts) {
  if (f in memo) return memo[f]
  if (f in onstack) { print "footprint: recursion through " short(f) > "/dev/stderr"; bad = 1; return 0 }
  onstack[f] = 1
  best = 0; bestc = ""
  n = split(calls[f], parts, " ")
  for (i = 1; i <= n; i++) {
    c = parts[i]; if (c == "") continue
    d = depth(c)
    if (d > best) { best = d; bestc = c }
  }
  delete onstack[f]
  next_of[f] = bestc
  memo[f] = size[f] + best
  return memo[f]
}
/^node:/ {
  if (match($0, /title: "[^"]*"/)) t = substr($0, RSTART + 8, RLENGTH - 9)
  if (match($0, /\\n[0-9]+ bytes/)) { s = substr($0, RSTART + 2, RLENGTH - 2); sub(/ bytes/, "", s); size[t] = s + 0 }
  else if (!(t in size)) size[t] = 0
  if (!(t in ext) && !match($0, /bytes/)) ext[t] = 1
  if (match($0, /bytes/)) defined[t] = 1
}
/^edge:/ {
  match($0, /sourcename: "[^"]*"/); s = substr($0, RSTART + 13, RLENGTH - 14)
  match($0, /targetname: "[^"]*"/); d = substr($0, RSTART + 13, RLENGTH - 14)
  if (index(" " calls[s] " ", " " d " ") == 0) calls[s] = calls[s] " " d
  called[d] = 1
}
END {
  for (f in defined) {
    if (f in called || index(f, ":") > 0) continue  # entry points: public, called by no one in src/
    total = depth(f); path = short(f); g = next_of[f]
    while (g != "" && size[g] > 0) { path = path " → " short(g); g = next_of[g] }
    printf "%d\t%s\t%s\n", total, f, path
  }
  exit bad
}
