// The exceptions of the tile library, under one base like geo/core/error.hpp; server/errors maps
// them.
#pragma once

#include <stdexcept>

namespace tsunagi::tiles {

/// Base of every error thrown by tsunagi_tiles.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A tile address the caller gave is not valid (zoom out of range, x/y outside the grid, not a
/// number). The server answers 400 with the message.
class InvalidTile : public Error {
 public:
  using Error::Error;
};

}  // namespace tsunagi::tiles
