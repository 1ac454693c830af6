#include "postgres_cluster.hpp"

#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace tsunagi::test {

namespace {

namespace fs = std::filesystem;

/// The newest PostgreSQL under /usr/lib/postgresql with PostGIS beside it.
fs::path postgres_bin() {
  fs::path best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto version = e.path().filename().string();
    if (fs::exists(e.path() / "bin/initdb") &&
        fs::exists("/usr/share/postgresql/" + version + "/extension/postgis.control") &&
        e.path() > best) {
      best = e.path();
    }
  }
  return best.empty() ? best : best / "bin";
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) {  // NOLINT(cert-env33-c): the tests' own commands
    throw std::runtime_error("the test PostgreSQL cluster: `" + command + "` failed");
  }
}

class Cluster {
 public:
  Cluster() {
    const auto bin = postgres_bin();
    if (bin.empty()) throw std::runtime_error(postgres_unavailable());
    std::string tmpl = (fs::temp_directory_path() / "tsunagi-pg-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    // initdb refuses root: then the server is the postgres user's, in a folder it owns.
    std::string as;
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) throw std::runtime_error("no postgres user to run the test cluster");
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        throw std::runtime_error("cannot give " + dir_.string() + " to the postgres user");
      }
      as = "runuser -u postgres -- ";
    }
    ctl_ = as + quoted((bin / "pg_ctl").string()) + " -D " + quoted((dir_ / "data").string());
    run(as + quoted((bin / "initdb").string()) + " -D " + quoted((dir_ / "data").string()) +
        " -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null");
    run(ctl_ + " -w -l " + quoted((dir_ / "log").string()) +
        " -o \"-c listen_addresses='' -c unix_socket_directories=" + dir_.string() +
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null");
    psql_ = "psql -X -q -h " + quoted(dir_.string()) + " -U postgres -d postgres -c ";
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster() {
    std::system((ctl_ + " -m immediate stop >/dev/null 2>&1").c_str());  // NOLINT(cert-env33-c)
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string new_database(const std::string& stem) {
    static std::atomic<int> counter{0};
    std::string name = "t" + std::to_string(++counter) + "_";
    for (const char c : stem) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    run(psql_ + quoted("CREATE DATABASE \"" + name + "\"") + " >/dev/null");
    std::string host;
    for (const char c : dir_.string()) host += c == '/' ? std::string("%2F") : std::string(1, c);
    return "postgresql:///" + name + "?host=" + host + "&user=postgres";
  }

 private:
  fs::path dir_;
  std::string ctl_;
  std::string psql_;
};

}  // namespace

std::string postgres_unavailable() {
  if (postgres_bin().empty()) {
    return "no PostgreSQL with PostGIS under /usr/lib/postgresql (apt-get install "
           "postgresql-15-postgis-3, as scripts/setup --tests does)";
  }
  return "";
}

std::string new_postgres_database(const std::string& stem) {
  static Cluster cluster;  // started on first use, stopped at exit
  return cluster.new_database(stem);
}

}  // namespace tsunagi::test
