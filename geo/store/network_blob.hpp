// How the walking network is kept in a store, whatever database keeps it: the nodes as one blob of
// little-endian (lon, lat) doubles and the edges as one blob of (a, b: uint32, length_m: float,
// steps: uint8) records. Each backend stores and reads the two blobs in its own language.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "geo/core/error.hpp"
#include "geo/spatial/network.hpp"

namespace tsunagi::geo::network_blob {

inline constexpr std::size_t kNodeBytes = 8 + 8;
inline constexpr std::size_t kEdgeBytes = 4 + 4 + 4 + 1;

template <typename T>
void append_le(std::string& out, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));  // the machines we run on are little endian
  out.append(bytes, sizeof(T));
}

template <typename T>
T read_le(const std::string& in, std::size_t& at) {
  if (at + sizeof(T) > in.size()) throw StoreError("the stored walking network is truncated");
  T v;
  std::memcpy(&v, in.data() + at, sizeof(T));
  at += sizeof(T);
  return v;
}

struct Blobs {
  std::string nodes;
  std::string edges;
};

/// The two blobs of `n`. @throws InvalidArgument when lon and lat differ in size or an edge names
/// a missing node.
inline Blobs encode(const NetworkData& n) {
  if (n.lon.size() != n.lat.size()) throw InvalidArgument("network: lon and lat differ in size");
  Blobs b;
  b.nodes.reserve(n.lon.size() * kNodeBytes);
  for (std::size_t i = 0; i < n.lon.size(); ++i) {
    append_le(b.nodes, n.lon[i]);
    append_le(b.nodes, n.lat[i]);
  }
  b.edges.reserve(n.edges.size() * kEdgeBytes);
  for (const auto& e : n.edges) {
    if (e.a >= n.lon.size() || e.b >= n.lon.size()) {
      throw InvalidArgument("network: an edge names a missing node");
    }
    append_le(b.edges, e.a);
    append_le(b.edges, e.b);
    append_le(b.edges, e.length_m);
    append_le(b.edges, static_cast<std::uint8_t>(e.steps ? 1 : 0));
  }
  return b;
}

/// Fills the nodes and edges of `n` from the stored blobs and counts. @throws StoreError when the
/// blobs do not match the counts.
inline void decode(NetworkData& n, std::size_t node_count, std::size_t edge_count,
                   const std::string& nodes, const std::string& edges) {
  if (nodes.size() != node_count * kNodeBytes || edges.size() != edge_count * kEdgeBytes) {
    throw StoreError("the stored walking network does not match its counts: import it again");
  }
  n.lon.resize(node_count);
  n.lat.resize(node_count);
  std::size_t at = 0;
  for (std::size_t i = 0; i < node_count; ++i) {
    n.lon[i] = read_le<double>(nodes, at);
    n.lat[i] = read_le<double>(nodes, at);
  }
  n.edges.resize(edge_count);
  at = 0;
  for (auto& e : n.edges) {
    e.a = read_le<std::uint32_t>(edges, at);
    e.b = read_le<std::uint32_t>(edges, at);
    e.length_m = read_le<float>(edges, at);
    e.steps = read_le<std::uint8_t>(edges, at) != 0;
  }
}

}  // namespace tsunagi::geo::network_blob
