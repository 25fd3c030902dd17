#!/usr/bin/env python3
"""OpenDrift's half of bench/opendrift-side-by-side.mjs (by hand, never in CI; setup as make_references.py).

  run WIND CURRENT LON LAT RADIUS_M NUMBER HOURS OUT.nc
      OpenDrift Leeway (PIW-1, seed 0) on a gridded wind file and a gridded current file, both read by
      reader_netCDF_CF_generic, land off (the kit's roaring_landmask stub cannot answer it: driftline's job
      sets land constant 0 too), dt 900 s, output 3600 s written to OUT.nc by OpenDrift itself.
      The bench times this whole process; it prints {"imports_s", "setup_s", "run_s"} as JSON on stdout
      so the wall time can be split into Python start-up + imports and the run.
  compare OPENDRIFT.nc DRIFTLINE.nc
      Mean final position of the particles that are still drifting in each file (they use different random
      generators, so the clouds are alike, not equal) and the distance between the two means, as JSON.

Usage: PYTHONPATH=$KIT/stubs:$KIT/src /usr/bin/python3 scripts/opendrift/side_by_side.py run ...
"""
import json
import sys
import time

T0 = time.perf_counter()


def run(wind, current, lon, lat, radius_m, number, hours, out):
    from datetime import datetime, timedelta
    from opendrift.models.leeway import Leeway
    from opendrift.readers import reader_netCDF_CF_generic
    t_imports = time.perf_counter()
    o = Leeway(loglevel=50)  # seed 0: np.random.seed(0)
    o.set_config('general:use_auto_landmask', False)
    o.set_config('environment:constant:land_binary_mask', 0)
    o.add_reader([reader_netCDF_CF_generic.Reader(wind), reader_netCDF_CF_generic.Reader(current)])
    o.seed_elements(lon=float(lon), lat=float(lat), number=int(number), radius=float(radius_m),
                    time=datetime(2024, 1, 1), object_type=1)
    t_setup = time.perf_counter()
    o.run(duration=timedelta(hours=float(hours)), time_step=900, time_step_output=3600, outfile=out)
    t_run = time.perf_counter()
    print(json.dumps({'imports_s': t_imports - T0, 'setup_s': t_setup - t_imports, 'run_s': t_run - t_setup,
                      'active': int(o.num_elements_active()), 'deactivated': int(o.num_elements_deactivated())}))


def final_mean(path):
    """Mean lon/lat at the last output time over particles with a position there (OpenDrift and driftline
    both leave a deactivated particle's later records as fill), and how many there are."""
    import numpy as np
    import xarray as xr
    with xr.open_dataset(path) as ds:
        lon = np.asarray(ds['lon'].isel(time=-1), dtype=np.float64)
        lat = np.asarray(ds['lat'].isel(time=-1), dtype=np.float64)
        n_times = ds.sizes['time']
    ok = np.isfinite(lon) & np.isfinite(lat)
    return {'lon': float(lon[ok].mean()), 'lat': float(lat[ok].mean()), 'particles': int(ok.sum()), 'times': int(n_times),
            'std_east_m': float(lon[ok].std() * 111320 * np.cos(np.radians(lat[ok].mean()))),
            'std_north_m': float(lat[ok].std() * 111320)}


def compare(od, dl):
    import numpy as np
    a, b = final_mean(od), final_mean(dl)
    # Equirectangular distance: the means lie within a few km, where it is good to well under 1 m.
    dx = (b['lon'] - a['lon']) * 111320 * np.cos(np.radians((a['lat'] + b['lat']) / 2))
    dy = (b['lat'] - a['lat']) * 111320
    print(json.dumps({'opendrift': a, 'driftline': b, 'mean_distance_m': float(np.hypot(dx, dy))}))


if __name__ == '__main__':
    if len(sys.argv) == 10 and sys.argv[1] == 'run':
        run(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == 'compare':
        compare(*sys.argv[2:])
    else:
        sys.exit(__doc__)
