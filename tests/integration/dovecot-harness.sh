#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# dovecot-harness.sh: a throw-away Dovecot 2.3 (Debian dovecot-imapd and
# dovecot-pop3d) run entirely from one private directory, for the
# integration suite of `mailtrail fetch`. Nothing system-wide is touched:
# configuration, base_dir, state, log, certificates and mail all live under
# DIR, and the server listens on 127.0.0.1 only.
#
#   dovecot-harness.sh start DIR     # fills DIR, starts, waits for the ports
#   dovecot-harness.sh stop DIR      # SIGTERM to the master by its pid, waits
#   dovecot-harness.sh status DIR    # exit 0 while the master runs
#
# Ports come from MTH_IMAP_PORT, MTH_IMAPS_PORT, MTH_POP3_PORT and
# MTH_POP3S_PORT (the test program picks free ones). DIR/env is written as
# a sourceable file of the facts a test needs.
#
# Mail is made from tests/integration/fixtures (MTH_FIXTURES), written with
# CRLF line ends so that every maildir file holds exactly the bytes the
# server sends. UIDs and UIDVALIDITY are fixed by a pre-written
# dovecot-uidlist, so POP3 UIDLs and IMAP UIDs are the same on every run:
#   alice / Wonderland-42
#     INBOX         uid 1 \Seen, 2 new, 3 new, 4 \Answered \Seen (no final
#                   line break), 5 new (400 KB, a 100 KB line, dot lines)
#     Evidence      uid 1 \Flagged \Seen, uid 2 new
#     Sent Items    uid 1 \Seen
#     Entwürfe      uid 1 new (on disk and on the wire: Entw&APw-rfe)
#   bob / "s3cr3t p@ss%"   INBOX uid 1 new
# TLS: a CA made here (ssl/ca.crt) signs the server certificate (CN and SAN
# 127.0.0.1, SAN DNS:localhost); ssl/other-ca.crt is an unrelated CA for
# the "wrong CA" tests.
set -euo pipefail

HOST=127.0.0.1
DOVECOT=${DOVECOT:-/usr/sbin/dovecot}
START_TIMEOUT=${MTH_START_TIMEOUT:-15}
STOP_TIMEOUT=${MTH_STOP_TIMEOUT:-15}
HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURES=${MTH_FIXTURES:-$HERE/fixtures}

die() { echo "dovecot-harness: $*" >&2; exit 1; }

make_ca() { # dir name cn
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -keyout "$1/$2.key" -out "$1/$2.crt" -days 30 -subj "/CN=$3" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_certs() { # ssl dir; EC P-256 keeps key generation in milliseconds
    local d=$1
    make_ca "$d" ca "mailtrail test CA"
    make_ca "$d" other-ca "unrelated test CA"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=$HOST" \
        2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=IP:$HOST,DNS:localhost" >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
        -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
        -days 30 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
    chmod 600 "$d"/*.key
}

# put FIXTURE MAILDIR SUBDIR BASENAME [FLAGS]: the fixture with CRLF line
# ends (perl only turns real LFs into CRLF, so a missing final line break
# stays missing).
put() {
    local src=$1 md=$2 sub=$3 base=$4 flags=${5-}
    local name=$base
    [ "$sub" = cur ] && name="$base:2,$flags"
    perl -pe 's/\r?\n/\r\n/' "$src" >"$md/$sub/$name"
}

# The 400 KB message: a 100 KB line, lines that need dot-stuffing, and
# enough ordinary lines to pass 400 KB. Deterministic.
gen_large() {
    {
        printf 'From: "Bulk Sender" <bulk@example.net>\n'
        printf 'To: alice@example.org\n'
        printf 'Subject: A large message with a very long line\n'
        printf 'Date: Fri, 05 Jan 2024 12:00:00 +0000\n'
        printf 'Message-ID: <large-1@example.net>\n'
        printf 'MIME-Version: 1.0\n'
        printf 'Content-Type: text/plain; charset=us-ascii\n\n'
        awk 'BEGIN {
            s = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            line = ""; while (length(line) < 102400) line = line s;
            print substr(line, 1, 102400);
            print ".leading dot"; print "..two dots"; print ".";
            print "..."; print ". space after a dot"; print "";
            for (i = 1; i <= 5000; i++)
                printf "line %05d of the filler text that makes this message large.\n", i;
            print "."; print "end";
        }'
    } >"$1"
}

# dovecot-uidlist version 3: UIDs 1..N in file-name order (cur/ and new/).
uidlist() { # maildir uidvalidity
    local md=$1 v=$2 n=0 f body=""
    for f in $(find "$md/cur" "$md/new" -type f -printf '%f\n' |
               sed 's/:2,.*//' | sort); do
        n=$((n + 1))
        body="$body$n :$f"$'\n'
    done
    printf '3 V%s N%s\n%s' "$v" "$((n + 1))" "$body" >"$md/dovecot-uidlist"
}

populate() { # mail root
    local a="$1/alice/Maildir" b="$1/bob/Maildir" f=$FIXTURES md
    for md in "$a" "$a/.Evidence" "$a/.Sent Items" "$a/.Entw&APw-rfe" "$b"; do
        mkdir -p "$md/cur" "$md/new" "$md/tmp"
    done
    put "$f/inbox-1-quarterly.eml" "$a" cur 1704103200.M1P1.mt S
    put "$f/inbox-2-phish.eml" "$a" new 1704189600.M2P1.mt
    put "$f/inbox-3-contract.eml" "$a" new 1704276000.M3P1.mt
    put "$f/inbox-4-no-final-newline.eml" "$a" cur 1704355200.M4P1.mt RS
    gen_large "$1/large.eml"
    put "$1/large.eml" "$a" new 1704441600.M5P1.mt
    rm -f "$1/large.eml"
    put "$f/evidence-1-invoice.eml" "$a/.Evidence" cur 1704362400.M6P1.mt FS
    put "$f/evidence-2-reminder.eml" "$a/.Evidence" new 1704448800.M7P1.mt
    put "$f/sent-1-reply.eml" "$a/.Sent Items" cur 1704535200.M8P1.mt S
    put "$f/drafts-1-draft.eml" "$a/.Entw&APw-rfe" new 1704618000.M9P1.mt
    put "$f/bob-1-lunch.eml" "$b" new 1704621600.M10P1.mt
    uidlist "$a" 1704067200
    uidlist "$a/.Evidence" 1704067201
    uidlist "$a/.Sent Items" 1704067202
    uidlist "$a/.Entw&APw-rfe" 1704067203
    uidlist "$b" 1704067300
}

write_config() { # dir
    local d=$1 user group login_user chroot_line mail_user mail_group uid gid
    user=$(id -un)
    group=$(id -gn)
    if [ "$(id -u)" = 0 ]; then
        # Login processes refuse to run as root and mail processes refuse
        # root mail access: use the package's dovenull and nobody.
        login_user=dovenull
        getent passwd dovenull >/dev/null || login_user=nobody
        chroot_line='  # chroot = login (the default, done before dropping root)'
        mail_user=nobody
        mail_group=$(id -gn nobody)
    else
        login_user=$user
        chroot_line='  chroot ='
        mail_user=$user
        mail_group=$group
    fi
    uid=$(id -u "$mail_user")
    gid=$(getent group "$mail_group" | cut -d: -f3)

    # {PLAIN} passwords: APOP and CRAM-MD5 need the clear text. uid/gid
    # stay empty (passwd-file refuses UID 0); mail_uid/mail_gid apply.
    cat >"$d/passwd" <<EOF
alice:{PLAIN}Wonderland-42::::$d/mail/alice::
bob:{PLAIN}s3cr3t p@ss%::::$d/mail/bob::
EOF
    chmod 600 "$d/passwd"

    cat >"$d/dovecot.conf" <<EOF
# Generated by dovecot-harness.sh: private test instance, loopback only.
instance_name = mailtrail-test-$(basename "$d")
base_dir = $d/run
state_dir = $d/state
protocols = imap pop3
listen = $HOST
log_path = $d/dovecot.log
login_greeting = Dovecot test server ready.
default_internal_user = $user
default_internal_group = $group
default_login_user = $login_user
mail_uid = $uid
mail_gid = $gid
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid
ssl = yes
ssl_cert = <$d/ssl/server.crt
ssl_key = <$d/ssl/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 apop
# Wrong passwords are tested on purpose: no failure delay.
auth_failure_delay = 0
mail_max_userip_connections = 50
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/passwd
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
$chroot_line
  inet_listener imap {
    address = $HOST
    port = $MTH_IMAP_PORT
  }
  inet_listener imaps {
    address = $HOST
    port = $MTH_IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
$chroot_line
  inet_listener pop3 {
    address = $HOST
    port = $MTH_POP3_PORT
  }
  inet_listener pop3s {
    address = $HOST
    port = $MTH_POP3S_PORT
    ssl = yes
  }
}
service anvil {
$([ "$(id -u)" = 0 ] && echo '  # chroot = empty (the default)' || echo '  chroot =')
  # Without the anvil-auth-penalty socket the per-IP penalty is off;
  # otherwise a few bad logins slow every later one by up to 15 s.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth-worker {
  user = $user
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
EOF

    cat >"$d/env" <<EOF
MTH_DIR='$d'
MTH_HOST='$HOST'
MTH_IMAP_PORT=$MTH_IMAP_PORT
MTH_IMAPS_PORT=$MTH_IMAPS_PORT
MTH_POP3_PORT=$MTH_POP3_PORT
MTH_POP3S_PORT=$MTH_POP3S_PORT
MTH_CAFILE='$d/ssl/ca.crt'
MTH_OTHER_CAFILE='$d/ssl/other-ca.crt'
MTH_SERVER_CERT='$d/ssl/server.crt'
MTH_LOG='$d/dovecot.log'
MTH_MAIL='$d/mail'
EOF

    if [ "$(id -u)" = 0 ]; then
        chown -R "$uid:$gid" "$d/mail"
        chmod 755 "$d"
        setpriv --reuid="$uid" --regid="$gid" --clear-groups \
            test -w "$d/mail/alice/Maildir/cur" ||
            die "$mail_user cannot reach $d/mail (a parent is not searchable?)"
    fi
}

# Waits until a port greets with $2 (plain ports) or accepts (TLS ports).
wait_port() { # port prefix-or-empty deadline
    local port=$1 want=$2 deadline=$3 got
    while :; do
        if [ -n "$want" ]; then
            got=$(timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$port && head -c ${#want} <&3" 2>/dev/null || true)
            [ "$got" = "$want" ] && return 0
        else
            timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$port" 2>/dev/null && return 0
        fi
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

master_pid() { [ -s "$1/run/master.pid" ] && cat "$1/run/master.pid"; }

cmd_start() {
    local d=${1:?usage: start DIR} deadline p
    : "${MTH_IMAP_PORT:?} ${MTH_IMAPS_PORT:?} ${MTH_POP3_PORT:?} ${MTH_POP3S_PORT:?}"
    [ -x "$DOVECOT" ] || die "$DOVECOT not found (apt-get install dovecot-imapd dovecot-pop3d)"
    command -v openssl >/dev/null || die "openssl not found"
    command -v perl >/dev/null || die "perl not found"
    mkdir -p "$d"
    d=$(cd "$d" && pwd)
    if p=$(master_pid "$d") && kill -0 "$p" 2>/dev/null; then
        die "already running in $d (pid $p)"
    fi
    rm -rf "$d/run" "$d/state" "$d/ssl" "$d/mail"
    mkdir -p "$d/run" "$d/state" "$d/ssl" "$d/mail"
    make_certs "$d/ssl"
    populate "$d/mail"
    write_config "$d"
    : >"$d/dovecot.log"
    # The daemon must not keep the caller's stdout or stderr open: a test
    # that reads them until EOF would wait forever.
    "$DOVECOT" -c "$d/dovecot.conf" </dev/null >>"$d/dovecot.log" 2>&1 || {
        cat "$d/dovecot.log" >&2
        die "dovecot did not start (see $d/dovecot.log)"
    }
    deadline=$(($(date +%s) + START_TIMEOUT))
    until p=$(master_pid "$d"); do
        [ "$(date +%s)" -ge "$deadline" ] && die "no master.pid in $d/run"
        sleep 0.05
    done
    if ! { wait_port "$MTH_POP3_PORT" "+OK" "$deadline" &&
           wait_port "$MTH_IMAP_PORT" "* OK" "$deadline" &&
           wait_port "$MTH_POP3S_PORT" "" "$deadline" &&
           wait_port "$MTH_IMAPS_PORT" "" "$deadline"; }; then
        cat "$d/dovecot.log" >&2
        cmd_stop "$d"
        die "ports not ready (see $d/dovecot.log)"
    fi
    echo "MTH_PID=$p" >>"$d/env"
    echo "$d"
}

cmd_stop() {
    local d=${1:?usage: stop DIR} p deadline
    p=$(master_pid "$d") || return 0
    if kill -0 "$p" 2>/dev/null; then
        kill -TERM "$p"
        deadline=$(($(date +%s) + STOP_TIMEOUT))
        while kill -0 "$p" 2>/dev/null; do
            if [ "$(date +%s)" -ge "$deadline" ]; then
                kill -KILL "$p" 2>/dev/null || true
                break
            fi
            sleep 0.05
        done
    fi
    rm -f "$d/run/master.pid"
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
status) shift; p=$(master_pid "${1:?usage: status DIR}") && kill -0 "$p" 2>/dev/null ;;
*) echo "usage: $0 start DIR | stop DIR | status DIR" >&2; exit 2 ;;
esac
