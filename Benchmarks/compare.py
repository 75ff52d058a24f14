"""Joins the lines of fashion-bench and of a peer into one table with ratios.
Usage: compare.py OURS.tsv PEER.tsv PEER_NAME"""
import sys

def read(path):
    rows = {}
    for line in open(path):
        parts = line.strip().split("\t")
        if len(parts) == 3:
            rows[parts[0]] = float(parts[1])
    return rows

ours, peer, name = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3]
print(f"{'benchmark':<14}{'fashion (s)':>14}{name + ' (s)':>16}{'speed-up':>10}")
for key, value in ours.items():
    other = peer.get(key)
    ratio = f"{other / value:.1f}x" if other else "-"
    print(f"{key:<14}{value:>14.3f}{(other if other else float('nan')):>16.3f}{ratio:>10}")
