#!/usr/bin/env bash
# Proves the PostgreSQL fixture: the server answers over TCP and over its unix
# socket, and a table round trip works.
#
#   test_postgres.sh [ENV_FILE]    default: $AIP_PG_ENV
set -euo pipefail

fail() {
  printf 'integration.postgres: FAIL: %s\n' "$*" >&2
  exit 1
}

env_file="${1:-${AIP_PG_ENV:-}}"
[[ -n "$env_file" ]] || fail "no env file: pass it as \$1 or set AIP_PG_ENV"
[[ -r "$env_file" ]] || fail "$env_file not readable: did fixture.postgres.start run?"
set -a
# shellcheck source=/dev/null
source "$env_file"
set +a

command -v psql >/dev/null || fail "psql not found (apt-get install postgresql-client)"

# psql -X ignores ~/.psqlrc; ON_ERROR_STOP makes any SQL error an exit status.
sql() {
  psql -X -v ON_ERROR_STOP=1 -At "$@"
}

expect() {
  local what="$1" want="$2" got="$3"
  [[ "$got" == "$want" ]] || fail "$what: expected '$want', got '$got'"
  printf 'ok: %s\n' "$what"
}

expect "select 6*7 over TCP" 42 "$(sql "$AIP_TEST_PG_URL" -c 'select 6*7')"
expect "select 6*7 over the unix socket" 42 "$(sql "$AIP_TEST_PG_SOCKET_URL" -c 'select 6*7')"

# A table of our own name, so that runs against a kept fixture do not collide.
# -q drops the command tags (CREATE TABLE, INSERT 0 3): only the row is left.
table="aip_fixture_check_$$"
expect "create/insert/update/select round trip" "1=alpha,2=BETA,3=gamma" \
  "$(sql -q "$AIP_TEST_PG_URL" <<EOF
create table $table (id integer primary key, name text not null);
insert into $table values (1, 'alpha'), (2, 'beta'), (3, 'gamma');
update $table set name = 'BETA' where id = 2;
select string_agg(id || '=' || name, ',' order by id) from $table;
drop table $table;
EOF
)"

# What another client sees over the socket after the TCP session committed.
expect "table dropped" 0 "$(sql "$AIP_TEST_PG_SOCKET_URL" -c \
  "select count(*) from pg_tables where tablename = '$table'")"

printf 'integration.postgres: PASS\n'
