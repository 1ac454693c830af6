// The request parser that every byte from the network goes through: any input must end in a
// request, "need more" or a ParseError, within the limits, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/http_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tsunagi::server;
  ParseLimits limits;
  limits.max_header_bytes = 4096;
  limits.max_body_bytes = 8192;
  RequestParser parser(limits);
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  // Fed in two pieces (the first byte says where to cut), as a network delivers it.
  const std::size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  for (const std::string_view piece : {all.substr(0, cut), all.substr(cut)}) {
    parser.feed(piece);
    for (int i = 0; i < 64; ++i) {
      HttpRequest request;
      ParseError error;
      const auto status = parser.next(request, error);
      if (status != RequestParser::Status::complete) break;
      (void)request.keep_alive();
      (void)request.raw_path();
      (void)request.raw_query();
    }
  }
  return 0;
}
