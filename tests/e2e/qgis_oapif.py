"""Opens a tsunagi OGC API - Features collection in QGIS's own OAPIF provider (headless) and
prints what QGIS sees as one JSON object: whether the layer is valid, its fields, its feature
count, every feature's id, the ids inside a bbox (a map view), and one feature's geometry.

usage: /usr/bin/python3 qgis_oapif.py BASE_URL COLLECTION MINX MINY MAXX MAXY
(run with QT_QPA_PLATFORM=offscreen; needs the Debian packages python3-qgis and qgis-providers)
"""
import json
import sys

from qgis.core import QgsApplication, QgsFeatureRequest, QgsRectangle, QgsVectorLayer

base, collection = sys.argv[1], sys.argv[2]
minx, miny, maxx, maxy = map(float, sys.argv[3:7])
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
uri = f"url='{base}/ogc' typename='{collection}' restrictToRequestBBOX='1'"
layer = QgsVectorLayer(uri, collection, "OAPIF")
out = {"valid": layer.isValid()}
if not layer.isValid():
    error = layer.error()  # kept in a variable: error().summary() on the temporary crashes PyQGIS 3.22
    out["error"] = error.summary()
else:
    out["fields"] = [f.name() for f in layer.fields()]
    out["count"] = layer.featureCount()
    out["ids"] = [f["id"] for f in layer.getFeatures()]
    view = QgsFeatureRequest().setFilterRect(QgsRectangle(minx, miny, maxx, maxy))
    out["bbox_ids"] = [f["id"] for f in layer.getFeatures(view)]
    first = next(layer.getFeatures(QgsFeatureRequest().setLimit(1)), None)
    if first is not None:
        point = first.geometry().asPoint()
        out["first"] = {"id": first["id"], "name": first["name"], "x": point.x(), "y": point.y()}
print(json.dumps(out, ensure_ascii=False), flush=True)
del layer
app.exitQgis()
