#include "libpq.hpp"

#include <aip/core/error.hpp>

#include <dlfcn.h>

#include <string>
#include <type_traits>

namespace aip::accounting::pq {
namespace {

// The soname of libpq's stable ABI, which every PostgreSQL release since 8.2 keeps.
constexpr const char *kLibrary = "libpq.so.5";

Api load() {
  void *lib = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char *why = ::dlerror();
    fail(Exit::unavailable, std::string("cannot load PostgreSQL's client library ") + kLibrary +
                                ": " + (why != nullptr ? why : "unknown error") +
                                " (install libpq5)");
  }
  Api a{};
  auto bind = [&](auto &fn, const char *name) {
    void *symbol = ::dlsym(lib, name);
    if (symbol == nullptr)
      fail(Exit::unavailable, std::string(kLibrary) + " has no function " + name);
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
  };
  bind(a.connectdb, "PQconnectdb");
  bind(a.status, "PQstatus");
  bind(a.errorMessage, "PQerrorMessage");
  bind(a.finish, "PQfinish");
  bind(a.exec, "PQexec");
  bind(a.execParams, "PQexecParams");
  bind(a.resultStatus, "PQresultStatus");
  bind(a.resultErrorField, "PQresultErrorField");
  bind(a.ntuples, "PQntuples");
  bind(a.getvalue, "PQgetvalue");
  bind(a.getisnull, "PQgetisnull");
  bind(a.clear, "PQclear");
  bind(a.putCopyData, "PQputCopyData");
  bind(a.putCopyEnd, "PQputCopyEnd");
  bind(a.getResult, "PQgetResult");
  return a; // the library stays loaded for the life of the process
}

} // namespace

const Api &api() {
  static const Api loaded = load();
  return loaded;
}

} // namespace aip::accounting::pq
