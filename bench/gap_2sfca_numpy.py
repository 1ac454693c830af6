#!/usr/bin/env python3
"""2SFCA / E2SFCA with numpy, written from pysal/access's formula (fca.py: inclusive cut-off,
R_j = S_j / sum_k P_k w(c_kj), A_i = sum_j R_j w(c_ij)), for bench/gap_methods.sh to compare
with `tsunagi gap access` on the same files. pysal itself is not installable here.

usage: gap_2sfca_numpy.py COSTS.csv DEMAND.csv SUPPLY.csv MAX_COST [e2sfca] > out.csv
       (prints id,access in DEMAND.csv order; the read and compute times go to stderr)
"""
import csv
import sys
import time

import numpy as np


def read_values(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    ids = [r["id"] for r in rows]
    return ids, {k: i for i, k in enumerate(ids)}, np.array([float(r["value"]) for r in rows])


def main():
    costs_path, demand_path, supply_path, max_cost = sys.argv[1:5]
    e2sfca = len(sys.argv) > 5 and sys.argv[5] == "e2sfca"
    t0 = time.perf_counter()
    d_ids, d_index, demand = read_values(demand_path)
    _, s_index, supply = read_values(supply_path)
    o, d, c = [], [], []
    with open(costs_path, newline="") as f:
        for r in csv.DictReader(f):
            o.append(d_index[r["origin"]])
            d.append(s_index[r["dest"]])
            c.append(float(r["cost"]))
    o, d, c = np.array(o), np.array(d), np.array(c)
    t1 = time.perf_counter()

    inside = c <= float(max_cost)
    o, d, c = o[inside], d[inside], c[inside]
    if e2sfca:  # pysal's default steps {10: 1, 20: 0.68, 30: 0.22}, 0 past 30
        w = np.select([c <= 10, c <= 20, c <= 30], [1.0, 0.68, 0.22], 0.0)
    else:
        w = np.ones_like(c)
    weighted_demand = np.bincount(d, weights=demand[o] * w, minlength=len(supply))
    ratio = np.divide(supply, weighted_demand, out=np.zeros_like(supply),
                      where=weighted_demand > 0)
    access = np.bincount(o, weights=ratio[d] * w, minlength=len(demand))
    t2 = time.perf_counter()

    out = ["id,access"] + [f"{i},{a!r}" for i, a in zip(d_ids, access.tolist())]
    sys.stdout.write("\n".join(out) + "\n")
    print(f"numpy: read {t1 - t0:.3f} s, compute {t2 - t1:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
