#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Test PKI for the https tests, all EC P-256 (fast), written into DIR:
#   ca.pem              the CA the device trusts (ca.key its key)
#   other-ca.pem        a CA the device does not know
#   good.{pem,key}      localhost, signed by ca
#   wrongname.{pem,key} updates.example.com, signed by ca
#   expired.{pem,key}   localhost, signed by ca, valid January 2020 only
#   unknownca.{pem,key} localhost, signed by other-ca
#   selfsigned.{pem,key} localhost, signed by itself
#   ip.{pem,key}        IP addresses 127.0.0.1 and ::1 only (no DNS name), signed by ca
#   good.pin / other.pin SHA-256 of the SubjectPublicKeyInfo of good.key / other-ca.key (hex)
# usage: make_test_pki.sh DIR
set -euo pipefail
dir=$1
cd "$dir"

key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
ext() { printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' "$1" > "$2"; }
ca() { # name CN
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 30 -sha256 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$1.pem" 2>/dev/null
}
leaf() { # name host signing-ca [subjectAltName, default DNS:host]
  key "$1.key"
  ext "${4:-DNS:$2}" "$1.ext"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 30 -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
pin() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1; }

ca ca "otaflow test CA"
ca other-ca "some other CA"
leaf good localhost ca
leaf wrongname updates.example.com ca
leaf unknownca localhost other-ca
leaf ip 127.0.0.1 ca "IP:127.0.0.1,IP:::1"

# Self-signed: its own issuer, with the server's extensions.
key selfsigned.key
openssl req -x509 -new -key selfsigned.key -subj /CN=localhost -days 30 -sha256 \
  -addext subjectAltName=DNS:localhost -out selfsigned.pem 2>/dev/null

# Expired: `openssl ca` is the tool that takes explicit validity dates.
key expired.key
ext DNS:localhost expired.ext
openssl req -new -key expired.key -subj /CN=localhost -out expired.csr 2>/dev/null
mkdir -p ca-db && : > ca-db/index.txt
cat > ca-db/ca.cnf <<EOF
[ca]
default_ca = test
[test]
database = $dir/ca-db/index.txt
new_certs_dir = $dir/ca-db
serial = $dir/ca-db/serial
default_md = sha256
policy = any
[any]
commonName = supplied
EOF
echo 01 > ca-db/serial
openssl ca -batch -config ca-db/ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
  -startdate 20200101000000Z -enddate 20200201000000Z -extfile expired.ext -notext \
  -out expired.pem 2>/dev/null

pin good.key > good.pin
pin other-ca.key > other.pin
