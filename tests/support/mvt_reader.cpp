#include "support/mvt_reader.hpp"

#include <cpl_vsi.h>
#include <gdal.h>
#include <libdeflate.h>
#include <ogr_api.h>
#include <ogrsf_frmts.h>

#include <atomic>
#include <memory>
#include <stdexcept>

namespace tsunagi::test {

std::vector<DecodedFeature> decode_tile(std::string_view bytes, std::uint32_t z, std::uint32_t x,
                                        std::uint32_t y, bool clip) {
  GDALAllRegister();
  static std::atomic<int> counter{0};
  // The driver takes z/x/y from the path (…/{z}/{x}/{y}.pbf).
  const std::string path = "/vsimem/tsunagi-test-" + std::to_string(counter++) + "/" +
                           std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y) +
                           ".pbf";
  VSILFILE* f = VSIFileFromMemBuffer(
      path.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(bytes.data())), bytes.size(), FALSE);
  if (f == nullptr) throw std::runtime_error("cannot make " + path);
  VSIFCloseL(f);
  const char* drivers[] = {"MVT", nullptr};
  const char* no_clip[] = {"CLIP=NO", nullptr};
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                            drivers, clip ? nullptr : no_clip));
  std::vector<DecodedFeature> out;
  if (!ds) {
    VSIUnlink(path.c_str());
    throw std::runtime_error("GDAL's MVT driver cannot read the tile " + std::to_string(z) + "/" +
                             std::to_string(x) + "/" + std::to_string(y));
  }
  for (auto* layer : ds->GetLayers()) {
    for (const auto& feature : *layer) {
      DecodedFeature d;
      d.layer = layer->GetName();
      for (int i = 0; i < feature->GetFieldCount(); ++i) {
        const std::string name = feature->GetFieldDefnRef(i)->GetNameRef();
        if (!feature->IsFieldSetAndNotNull(i)) continue;
        if (name == "mvt_id") {
          d.id = static_cast<std::uint64_t>(feature->GetFieldAsInteger64(i));
        } else {
          d.props[name] = feature->GetFieldAsString(i);
        }
      }
      if (const OGRGeometry* g = feature->GetGeometryRef()) {
        d.wkt = g->exportToWkt();
        d.type = OGRGeometryTypeToName(wkbFlatten(g->getGeometryType()));
      }
      out.push_back(std::move(d));
    }
  }
  ds.reset();
  VSIUnlink(path.c_str());
  return out;
}

std::string gunzip(std::string_view gz) {
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  std::string out(std::max<std::size_t>(1024, gz.size() * 8), '\0');
  for (;;) {
    std::size_t n = 0;
    const auto r =
        libdeflate_gzip_decompress(d.get(), gz.data(), gz.size(), out.data(), out.size(), &n);
    if (r == LIBDEFLATE_SUCCESS) {
      out.resize(n);
      return out;
    }
    if (r != LIBDEFLATE_INSUFFICIENT_SPACE) throw std::runtime_error("not a gzip member");
    out.resize(out.size() * 4);
  }
}

}  // namespace tsunagi::test
