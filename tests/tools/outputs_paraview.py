"""What ParaView sees in XDMF files: run under pvbatch by outputs_paraview.sh.

  pvbatch outputs_paraview.py OUT.json FILE.xdmf...

Opens every file with each of ParaView's three XDMF readers (XDMFReader, Xdmf3ReaderS,
Xdmf3ReaderT) and writes, per file and reader, the time steps it offers and, at every one of
them, the bounds, the point count, the range of "u" and every point with its value of "u".
It judges nothing: outputs_paraview.sh compares this with the HDF5 files read by h5py, in the
Debian python (ParaView's VTK carries its own HDF5, which is best not loaded beside h5py's).
"""

import json
import sys

from paraview import servermanager
import paraview.simple as pv
from vtkmodules.util.numpy_support import vtk_to_numpy

READERS = ("XDMFReader", "Xdmf3ReaderS", "Xdmf3ReaderT")


def open_with(reader, path):
    # The legacy reader takes FileNames, the Xdmf3 readers FileName (both lists).
    if reader == "XDMFReader":
        return pv.XDMFReader(FileNames=[path])
    return getattr(pv, reader)(FileName=[path])


def look(reader, path):
    source = open_with(reader, path)
    values = source.TimestepValues
    times = [float(t) for t in values] if hasattr(values, "__len__") else [float(values)]
    seen = {"times": times, "at": []}
    for t in times:
        # Without an explicit time the Xdmf3 readers produce an empty data set.
        source.UpdatePipeline(time=t)
        info = source.GetDataInformation()
        data = servermanager.Fetch(source)
        u = data.GetPointData().GetArray("u")
        seen["at"].append({
            "time": t,
            "bounds": list(info.GetBounds()),
            "points_info": info.GetNumberOfPoints(),
            # Asked after the update: before it the Xdmf3 readers list no arrays for a series.
            "arrays": list(source.PointData.keys()),
            "range": list(source.PointData["u"].GetRange()) if "u" in source.PointData.keys() else None,
            "class": data.GetClassName(),
            "points": [list(data.GetPoint(i)) for i in range(data.GetNumberOfPoints())],
            "u": vtk_to_numpy(u).tolist() if u is not None else None,
        })
    pv.Delete(source)
    return seen


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    report = {path: {reader: look(reader, path) for reader in READERS} for path in paths}
    with open(out, "w") as f:
        json.dump(report, f)


main()
