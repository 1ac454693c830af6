#!/usr/bin/env python3
"""Straight-line coverage and 2SFCA as an analyst would write them with scipy's cKDTree
(bench/gap_scale.sh). Reads the points tsunagi_gap_scale_timing used (demand_points.csv,
supply_points.csv: id,lon,lat,value), measures great circles on the mean sphere as chords
between 3-D unit vectors (the same metric as tsunagi and PostGIS geography with use_spheroid =
false), writes coverage.csv / access.csv beside its timing line.

    gap_scale_scipy.py DIR MAX_M OUT_DIR
"""
import resource
import sys
import time

import numpy as np
from scipy.spatial import cKDTree

R = 6371008.8


def unit(lon, lat):
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def main():
    src, max_m, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    d = np.loadtxt(f"{src}/demand_points.csv", delimiter=",", skiprows=1)
    s = np.loadtxt(f"{src}/supply_points.csv", delimiter=",", skiprows=1)
    chord = 2 * np.sin(max_m / (2 * R))
    t0 = time.perf_counter()
    dx, sx = unit(d[:, 1], d[:, 2]), unit(s[:, 1], s[:, 2])
    tree_s = cKDTree(sx)
    dist, _ = tree_s.query(dx, k=1, distance_upper_bound=chord * (1 + 1e-12), workers=2)
    covered = dist <= chord
    t1 = time.perf_counter()
    tree_d = cKDTree(dx)
    pairs = tree_s.sparse_distance_matrix(tree_d, chord, output_type="ndarray")
    # step 1: demand within each place's catchment; step 2: the ratios each demand point reaches
    demand_sum = np.bincount(pairs["i"], weights=d[pairs["j"], 3], minlength=len(s))
    ratio = np.divide(s[:, 3], demand_sum, out=np.zeros(len(s)), where=demand_sum > 0)
    access = np.bincount(pairs["j"], weights=ratio[pairs["i"]], minlength=len(d))
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    np.savetxt(f"{out}/coverage.csv", np.column_stack((np.arange(len(d)), covered)), fmt="%d",
               delimiter=",", header="id,covered", comments="")
    np.savetxt(f"{out}/access.csv", np.column_stack((np.arange(len(d)), access)),
               fmt=["%d", "%.17g"], delimiter=",", header="id,access", comments="")
    print(f"coverage_s {t1 - t0:.3f} access_s {t2 - t1:.3f} analysis_s {t2 - t0:.3f} "
          f"peak_rss_mib {peak:.1f} pairs {len(pairs)} covered_pop {d[covered, 3].sum():.0f}")


if __name__ == "__main__":
    main()
