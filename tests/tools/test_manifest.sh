#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image manifest add: the original format, exact keys, digests equal to sha256sum,
# replace by version, version order, refusal of malformed manifests, extra members kept.
source "$(dirname "$0")/lib.sh"

printf 'application v3 payload' >v3.bin
printf 'application v4 payload, longer' >v4.bin
printf 'application v4 payload, rebuilt' >v4b.bin
for v in 3 4; do "$TOOL" pack v$v.bin -o v$v.ota --version $v >/dev/null; done
"$TOOL" pack v4b.bin -o v4b.ota --version 4 >/dev/null
"$TOOL" pack v3.bin -o v5.ota --version 5 >/dev/null

# Structure checks run in one Python process at the end (its start-up is slow here): each
# check_manifest call snapshots the manifest and records what it must hold.
: >expect.txt
check_manifest() { # FILE then VERSION|FILE|ERASE|URL... in the expected order
  local snap="snap$(wc -l <expect.txt).json"
  cp "$1" "$snap"; shift
  local IFS=' '
  printf '%s %s\n' "$snap" "$*" >>expect.txt
}

# 1. Create.
"$TOOL" manifest add ota.json --version 3 --url http://127.0.0.1:8000/v3.ota --file v3.ota >add.out
check_manifest ota.json '3|v3.ota|false|http://127.0.0.1:8000/v3.ota'
grep -q "\"Digest\": \"$(sha256_of v3.ota)\"" ota.json
ok "manifest add creates a manifest; its Digest is sha256sum v3.ota: $(cat add.out)"

# 2. Add a second version, then replace it: the other entry stays, order is by version.
"$TOOL" manifest add ota.json --version 4 --url http://127.0.0.1:8000/v4.ota --file v4.ota >/dev/null
check_manifest ota.json '3|v3.ota|false|http://127.0.0.1:8000/v3.ota' '4|v4.ota|false|http://127.0.0.1:8000/v4.ota'
"$TOOL" manifest add ota.json --version 4 --url http://127.0.0.1:8000/v4b.ota --file v4b.ota >replace.out
grep -q 'replaced Version 4' replace.out || die "$(cat replace.out)"
check_manifest ota.json '3|v3.ota|false|http://127.0.0.1:8000/v3.ota' '4|v4b.ota|false|http://127.0.0.1:8000/v4b.ota'

# 3. Version order whatever the order of adding; the newest is the last entry (what the
#    original service reads).
"$TOOL" manifest add ota.json --version 5 --url http://h/v5.ota --file v5.ota >/dev/null
"$TOOL" manifest add ota.json --version 3 --url http://127.0.0.1:8000/v3.ota --file v3.ota --erase >/dev/null
check_manifest ota.json '3|v3.ota|true|http://127.0.0.1:8000/v3.ota' '4|v4b.ota|false|http://127.0.0.1:8000/v4b.ota' \
  '5|v5.ota|false|http://h/v5.ota'

# 4. Stable output: adding the same entry again changes nothing, byte for byte.
cp ota.json stable.json
"$TOOL" manifest add ota.json --version 3 --url http://127.0.0.1:8000/v3.ota --file v3.ota --erase >/dev/null
cmp ota.json stable.json
ok "the output is stable: re-adding an identical entry leaves the file byte-identical"

# 5. The exact pretty-printed layout; quotes and backslashes in the URL are escaped.
"$TOOL" manifest add one.json --version 3 --url 'http://192.168.43.173:8000/a"b\c.ota' --file v3.ota >/dev/null
cat >expected.json <<JSON
{
  "ota": [
    {
      "Version": 3,
      "URL": "http://192.168.43.173:8000/a\\"b\\\\c.ota",
      "Digest": "$(sha256_of v3.ota)",
      "EraseVer": false,
      "Size": $(wc -c <v3.ota)
    }
  ]
}
JSON
diff -u expected.json one.json
check_manifest one.json '3|v3.ota|false|http://192.168.43.173:8000/a"b\c.ota'
ok "layout: two-space pretty print, exactly as expected.json"

# 6. An existing manifest written by hand (the original's sample, with "Patch" and a top-level
#    extra member) is read; unknown members are kept, digests are normalised to lowercase.
cat >orig.json <<'JSON'
    {
    "comment": "hand written",
    "ota": [
            {
                "Version": 6,
                "URL": "http://192.168.43.173:8000/wifi_ota100.bin",
                "Digest": "885189CBB24B7B1A0175DEEF9D5D61F53C247D89A095B5A3686F54CA2D5DFBAA",
                "EraseVer": false,
                "Patch" : [ { "BaseVersion": 1, "PatchURL": "http://x/p.patch" } ]
            },
            {
                "Version": 3,
                "URL": "http://192.168.43.173:8000/wifi_ota103.bin",
                "Digest": "745189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb22"
            }
           ]
    }
JSON
"$TOOL" manifest add orig.json --version 4 --url http://h/v4.ota --file v4.ota >/dev/null

py - <<'PY'
import hashlib, json
for line in open("expect.txt"):
    path, *expected = line.rstrip("\n").split(" ", 1)
    expected = expected[0].split(" ") if expected else []
    # URLs here hold no spaces; one spec per entry.
    doc = json.load(open(path))
    assert list(doc.keys()) == ["ota"], (path, list(doc.keys()))
    entries = doc["ota"]
    assert len(entries) == len(expected), (path, len(entries), expected)
    for e, want in zip(entries, expected):
        version, fname, erase, url = want.split("|", 3)
        assert list(e.keys()) == ["Version", "URL", "Digest", "EraseVer", "Size"], (path, list(e.keys()))
        assert e["Size"] == len(open(fname, "rb").read()), (path, e, fname)
        assert type(e["Version"]) is int and e["Version"] == int(version), (path, e)
        assert e["Digest"] == hashlib.sha256(open(fname, "rb").read()).hexdigest(), (path, e, fname)
        assert e["EraseVer"] is (erase == "true"), (path, e)
        assert e["URL"] == url, (path, e["URL"], url)

d = json.load(open("orig.json"))
assert list(d.keys()) == ["ota", "comment"] and d["comment"] == "hand written", d
assert [e["Version"] for e in d["ota"]] == [3, 4, 6], d
v6 = d["ota"][2]
assert v6["Patch"] == [{"BaseVersion": 1, "PatchURL": "http://x/p.patch"}], v6
assert v6["Digest"] == "885189cbb24b7b1a0175deef9d5d61f53c247d89a095b5a3686f54ca2d5dfbaa", v6
assert d["ota"][0]["EraseVer"] is False, d["ota"][0]
PY
ok "every snapshot parses with python3 json and has exactly the keys ota / Version, URL, Digest, EraseVer, Size"
ok "Size of each entry = the length of its file (the agent refuses any other length at the headers)"
ok "Digest of each entry = SHA-256 of its file (sha256sum); Version an integer; URL as given"
ok "same version replaced (new digest and URL), version 3 kept; --erase sets EraseVer true; order 3, 4, 5"
ok "a hand-written manifest: sorted 3, 4, 6; Patch and comment kept; missing EraseVer written false"

# 7. Malformed manifests are refused with one line, and the file is left untouched.
refuse() { # NAME CONTENT PATTERN
  printf '%s' "$2" >"$1.json"
  cp "$1.json" "$1.orig"
  expect_fail 1 "$3" -- "$TOOL" manifest add "$1.json" --version 4 --url http://h/v4.ota --file v4.ota
  cmp "$1.json" "$1.orig" || die "$1.json was changed"
  ok "refused, file unchanged: $LAST_ERROR"
}
refuse truncated '{"ota":[{"Version":3,' 'manifest add: truncated\.json: invalid JSON at line 1 \(incomplete\) \(not changed\)'
refuse trailing '{"ota":[]} x' 'trailing\.json: invalid JSON'
refuse twoobjs '{"ota":[]}{"ota":[]}' 'twoobjs\.json: invalid JSON: text after the top-level value'
refuse nocomma '{"ota":[{"Version":3 "URL":"http://a","Digest":"'"$(sha256_of v3.ota)"'"}]}' 'nocomma\.json: invalid JSON: malformed object member'
refuse badvalue '{"ota":[{"Version":tru}]}' "badvalue\\.json: invalid JSON value 'tru'"
refuse empty '' 'empty\.json: the manifest is empty'
refuse array '[1,2]' 'array\.json: the manifest is not a JSON object'
refuse noota '{"OTA":[]}' 'noota\.json: no "ota" member'
refuse otaobj '{"ota":{}}' 'otaobj\.json: "ota" is not an array'
refuse noversion '{"ota":[{"URL":"http://a","Digest":"'"$(sha256_of v3.ota)"'"}]}' 'ota\[0\] \(line 1\) has no Version'
refuse strversion '{"ota":[{"Version":"3","URL":"http://a","Digest":"'"$(sha256_of v3.ota)"'"}]}' 'ota\[0\]\.Version \(line 1\) is not an integer'
refuse negversion '{"ota":[{"Version":-3,"URL":"http://a","Digest":"'"$(sha256_of v3.ota)"'"}]}' 'ota\[0\]\.Version'
refuse shortdigest '{"ota":[{"Version":3,"URL":"http://a","Digest":"abc"}]}' 'ota\[0\]\.Digest \(line 1\) is not 64 hex characters'
refuse erasestr '{"ota":[{"Version":3,"URL":"http://a","Digest":"'"$(sha256_of v3.ota)"'","EraseVer":"no"}]}' 'EraseVer \(line 1\) is not true or false'
refuse dupversion '{"ota":[{"Version":3,"URL":"http://a","Digest":"'"$(sha256_of v3.ota)"'"},{"Version":3,"URL":"http://b","Digest":"'"$(sha256_of v3.ota)"'"}]}' 'two entries have Version 3'
refuse dupkey '{"ota":[{"Version":3,"Version":4,"URL":"http://a","Digest":"'"$(sha256_of v3.ota)"'"}]}' 'has "Version" twice'

# 8. The image must be intact and of the version given; usage errors.
expect_fail 1 'manifest add: v4\.ota is version 4, not 5' -- "$TOOL" manifest add m.json --version 5 --url http://h/x --file v4.ota
ok "--version differing from the image's: $LAST_ERROR"
cp v4.ota bad.ota
printf 'X' | dd of=bad.ota bs=1 seek=70 conv=notrunc status=none   # a payload byte ('p' before)
expect_fail 1 'bad\.ota: not an intact image \(hash mismatch\)' -- "$TOOL" manifest add m.json --version 4 --url http://h/x --file bad.ota
ok "a corrupted image: $LAST_ERROR"
expect_fail 1 'not a valid otaflow image' -- "$TOOL" manifest add m.json --version 4 --url http://h/x --file v4.bin
ok "a plain .bin: $LAST_ERROR"
[[ ! -e m.json ]] || die "m.json written despite the errors"
expect_fail 2 '--version, --url and --file are required' -- "$TOOL" manifest add m.json --version 4 --file v4.ota
expect_fail 2 '--url must start with http:// or https://' -- "$TOOL" manifest add m.json --version 4 --url ftp://h/x --file v4.ota
expect_fail 2 'unknown action' -- "$TOOL" manifest remove m.json
expect_fail 2 'missing action' -- "$TOOL" manifest
"$TOOL" manifest add --help | grep -q '^usage: otaflow-image manifest add MANIFEST.json'
"$TOOL" manifest --help | grep -q '^usage: otaflow-image manifest add'
ok "usage errors exit 2 with one line; manifest --help and manifest add --help print the usage"

# 9. --patch: a "Patch" member whose digests a device checks; refused unless the patch rebuilds
# the image.
for fmt in otaflow jojodiff; do
  "$TOOL" diff v3.ota v4.ota -o "p.$fmt" --format "$fmt" >/dev/null
  rm -f pm.json
  "$TOOL" manifest add pm.json --version 4 --url http://h/v4.ota --file v4.ota \
    --patch v3.ota "p.$fmt" --patch-url "http://h/3to4.$fmt" >/dev/null
  python3 - "$fmt" "$(sha256_of v3.ota)" "$(sha256_of "p.$fmt")" "$(sha256_of v4.ota)" <<'PY'
import json, sys
fmt, base, patch, target = sys.argv[1:]
e = json.load(open("pm.json"))["ota"][0]
assert e["Digest"] == target, e
assert e["Patch"] == [{"BaseVersion": 3, "BaseVerDigest": base, "PatchURL": "http://h/3to4." + fmt,
                       "PatchDigest": patch, "TargetDigest": target}], e["Patch"]
PY
  ok "manifest add --patch writes the original's Patch entry ($fmt format)"
done
cp pm.json pm.orig
expect_fail 1 'p\.otaflow does not turn v4\.ota into the image of --file' -- \
  "$TOOL" manifest add pm.json --version 4 --url http://h/v4.ota --file v4.ota --patch v4.ota p.otaflow --patch-url http://h/p
cmp pm.json pm.orig || die "pm.json changed by a refused --patch"
ok "a patch that does not rebuild the image is refused: $LAST_ERROR"
expect_fail 2 '--patch and --patch-url go together' -- "$TOOL" manifest add pm.json --version 4 --url http://h/v4.ota --file v4.ota --patch v3.ota p.otaflow
expect_fail 2 '--patch needs BASE.ota and PATCH' -- "$TOOL" manifest add pm.json --version 4 --url http://h/v4.ota --file v4.ota --patch-url http://h/p --patch v3.ota
ok "--patch usage errors exit 2"

done_checks
