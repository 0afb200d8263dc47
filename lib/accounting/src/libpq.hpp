// PostgreSQL's client library, loaded when the store first connects rather than when a tool
// starts: libpq brings 21 more shared libraries (OpenSSL, GnuTLS, Kerberos, LDAP), whose
// loading and symbol binding took about 4 ms of every run of every tool that links the
// accounting library, most of which never open a database. Internal to lib/accounting.
#pragma once

#include <libpq-fe.h>

namespace aip::accounting::pq {

// The functions of libpq that the store calls, each of libpq's own type.
struct Api {
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQstatus) status;
  decltype(&::PQerrorMessage) errorMessage;
  decltype(&::PQfinish) finish;
  decltype(&::PQexec) exec;
  decltype(&::PQexecParams) execParams;
  decltype(&::PQresultStatus) resultStatus;
  decltype(&::PQresultErrorField) resultErrorField;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQclear) clear;
  decltype(&::PQputCopyData) putCopyData;
  decltype(&::PQputCopyEnd) putCopyEnd;
  decltype(&::PQgetResult) getResult;
};

// libpq.so.5, loaded on the first call (thread-safe); an Error with Exit::unavailable that
// names the library when it cannot be loaded or lacks one of the functions.
const Api &api();

} // namespace aip::accounting::pq
