"""The benchmark checks where its CSV goes before it spends minutes timing runs."""

import subprocess
import sys

from experiments.benchmark import csv_path


def test_a_folder_gets_benchmark_csv_inside(tmp_path):
    assert csv_path(str(tmp_path)) == tmp_path / "benchmark.csv"
    assert csv_path(str(tmp_path / "new") + "/") == tmp_path / "new" / "benchmark.csv"
    assert csv_path(str(tmp_path / "b.csv")) == tmp_path / "b.csv"


def test_a_file_in_the_way_is_one_line_and_exit_2_before_any_timing(tmp_path):
    (tmp_path / "f").write_text("x")
    assert "is a file, not a folder" in csv_path(str(tmp_path / "f" / "b.csv"))
    p = subprocess.run([sys.executable, "-m", "experiments.benchmark", "--out", str(tmp_path / "f" / "b.csv")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "--out=" in p.stderr
    assert "bandwidth" not in p.stderr  # nothing was timed
