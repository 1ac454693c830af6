"""A minimal Mapbox Vector Tile reader (stdlib only): enough to list each feature's id, geometry
type and properties, so the runner can send PostGIS exactly the properties tsunagi's tiles carry.
Geometry is not decoded."""
import gzip
import struct


def _varint(buf, i):
    shift = 0
    value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _fields(buf):
    """(field number, wire type, value) for each field of a message."""
    i = 0
    n = len(buf)
    while i < n:
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
        elif wire == 1:
            v = buf[i:i + 8]
            i += 8
        elif wire == 2:
            length, i = _varint(buf, i)
            v = buf[i:i + length]
            i += length
        elif wire == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield field, wire, v


def _packed(buf):
    i = 0
    out = []
    while i < len(buf):
        v, i = _varint(buf, i)
        out.append(v)
    return out


def _value(buf):
    for field, _, v in _fields(buf):
        if field == 1:
            return bytes(v).decode("utf-8")
        if field == 2:
            return struct.unpack("<f", v)[0]
        if field == 3:
            return struct.unpack("<d", v)[0]
        if field == 4:  # int64
            return v - (1 << 64) if v >= 1 << 63 else v
        if field == 5:  # uint64
            return v
        if field == 6:  # sint64
            return (v >> 1) ^ -(v & 1)
        if field == 7:
            return bool(v)
    return None


def decode(data):
    """{layer name: [{"id": int|None, "type": int, "properties": {...}}, ...]}"""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    data = memoryview(data)
    layers = {}
    for field, _, layer in _fields(data):
        if field != 3:
            continue
        name = None
        keys, values, raw = [], [], []
        for f, _, v in _fields(layer):
            if f == 1:
                name = bytes(v).decode("utf-8")
            elif f == 2:
                raw.append(v)
            elif f == 3:
                keys.append(bytes(v).decode("utf-8"))
            elif f == 4:
                values.append(_value(v))
        features = []
        for fbuf in raw:
            fid, gtype, tags = None, 0, []
            for f, _, v in _fields(fbuf):
                if f == 1:
                    fid = v
                elif f == 2:
                    tags = _packed(v)
                elif f == 3:
                    gtype = v
            props = {keys[tags[k]]: values[tags[k + 1]] for k in range(0, len(tags) - 1, 2)}
            features.append({"id": fid, "type": gtype, "properties": props})
        layers[name] = features
    return layers
