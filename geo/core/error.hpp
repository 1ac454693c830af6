// The exceptions of the domain core. Every error the user can cause is one of these, with a message
// that says what to fix; server/errors maps them onto HTTP, the CLI prints them.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace tsunagi::geo {

/// Base of every error thrown by tsunagi_geo.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The caller passed a value that is not valid (a bad mesh code, an unparseable schedule...).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// Something asked for does not exist (resource id, area id).
class NotFound : public Error {
 public:
  using Error::Error;
};

/// What was asked for conflicts with what is stored (a user name that is taken). HTTP 409.
class Conflict : public Error {
 public:
  using Error::Error;
};

/// The one asking may not do this (a publish level their role may not write). HTTP 403.
class Forbidden : public Error {
 public:
  using Error::Error;
};

/// The one asking works for other towns than the one this is in (a scoped coordinator's edit in
/// another town, a scoped matcher's write to another town's case). HTTP 403 outside_municipality.
class OutsideMunicipality : public Forbidden {
 public:
  OutsideMunicipality(const std::string& what, std::string lg_code)
      : Forbidden(what), lg_code_(std::move(lg_code)) {}
  /// The town that is outside (may be empty: a thing of no known town).
  [[nodiscard]] const std::string& lg_code() const { return lg_code_; }

 private:
  std::string lg_code_;
};

/// An optimistic-concurrency check failed: someone else changed the record first. HTTP 412.
class VersionConflict : public Conflict {
 public:
  using Conflict::Conflict;
};

/// The store file cannot be used: not a tsunagi store, made by a newer version, corrupt, locked.
class StoreError : public Error {
 public:
  using Error::Error;
};

/// A coordinate transformation or CRS definition failed (PROJ).
class CrsError : public Error {
 public:
  using Error::Error;
};

/// A geometry operation failed or a geometry was invalid (GEOS).
class GeometryError : public Error {
 public:
  using Error::Error;
};

}  // namespace tsunagi::geo
