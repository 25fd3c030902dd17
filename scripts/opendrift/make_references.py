#!/usr/bin/env python3
"""Generates driftline's OpenDrift reference data by running the real OpenDrift Leeway (by hand, never in CI).

Needs a local OpenDrift 1.14.10 (commit 130bc999) on PYTHONPATH, set up as ../shared/opendrift-kit/README.md
describes (Debian python3, stubs first on the path). Writes into test/fixtures/opendrift/ (or the folder given
as the first argument):

  backward_<name>.nc   trimmed copy of OpenDrift's own output of a backward run (lon, lat, status, orientation)
  capsize_<name>.nc    trimmed copy of a run with processes:capsizing (lon, lat, status, capsized)
  leeway_ascii_<name>.txt  OpenDrift's Leeway.export_ascii() of a reference run
  <name>.json          the inputs of each run, as driftline job parameters

The trimmed files are NetCDF-3 (netcdfjs reads them) with OpenDrift's values unchanged (float32 lon/lat).
Usage: PYTHONPATH=$KIT/stubs:$KIT/src /usr/bin/python3 scripts/opendrift/make_references.py [outdir] [only]
"""
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta

import numpy as np
import xarray as xr
import opendrift
from opendrift.models.leeway import Leeway

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'opendrift')
ONLY = sys.argv[2] if len(sys.argv) > 2 else None
START = datetime(2024, 1, 1)


def od_commit():
    src = os.path.dirname(os.path.dirname(opendrift.__file__))
    try:
        return subprocess.run(['git', '-C', src, 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return '130bc999f230f05d972f77429f68183ed12db8d0 (extracted tree, no git)'


def make(wind, current, configs, stokes=None):
    o = Leeway(loglevel=50)  # seed=0: np.random.seed(0)
    o.set_config('general:use_auto_landmask', False)
    const = {'x_wind': wind[0], 'y_wind': wind[1], 'x_sea_water_velocity': current[0],
             'y_sea_water_velocity': current[1], 'land_binary_mask': 0}
    if stokes is not None:
        const['sea_surface_wave_stokes_drift_x_velocity'] = stokes[0]
        const['sea_surface_wave_stokes_drift_y_velocity'] = stokes[1]
    o.set_config('environment:constant', const)
    for k, v in configs.items():
        o.set_config(k, v)
    return o


def trimmed(ncfile, keep, dst, attrs):
    ds = xr.open_dataset(ncfile)
    out = xr.Dataset()
    for v in keep:
        a = ds[v].values
        if v in ('lon', 'lat'):
            out[v] = (('trajectory', 'time'), a.astype(np.float32))
        else:  # status/orientation/capsized: NaN (masked) -> -1 as byte
            b = np.where(np.isnan(a), -1, a).astype(np.int8)
            out[v] = (('trajectory', 'time'), b)
    out['trajectory'] = ('trajectory', ds['trajectory'].values.astype(np.int32))
    out['time'] = ('time', ((ds['time'].values - np.datetime64('1970-01-01T00:00:00')) / np.timedelta64(1, 's')).astype(np.float64))
    out['time'].attrs['units'] = 'seconds since 1970-01-01'
    out.attrs.update({k: str(v) for k, v in attrs.items()})
    out.attrs['status_meanings_opendrift'] = str(ds['status'].attrs.get('flag_meanings', ''))
    enc = {v: {'_FillValue': None} for v in list(out.data_vars) + ['time', 'trajectory']}
    out.to_netcdf(dst, format='NETCDF3_64BIT', encoding=enc)


def run_case(name, *, wind, current, number, object_type, time_step, duration_h, radius=0, configs=None,
             keep=('lon', 'lat', 'status', 'orientation'), ascii_out=False, seed_time=START, lon=-30, lat=45, stokes=None):
    if ONLY and ONLY not in name:
        return
    configs = configs or {}
    o = make(wind, current, configs, stokes)
    o.seed_elements(lon=lon, lat=lat, number=number, radius=radius, time=seed_time, object_type=object_type)
    with tempfile.TemporaryDirectory() as tmp:
        nc = os.path.join(tmp, 'od.nc')
        o.run(duration=timedelta(hours=duration_h), time_step=time_step, time_step_output=3600, outfile=nc)
        calls = (f"Leeway(loglevel=50); set_config('general:use_auto_landmask', False); "
                 f"set_config('environment:constant', {{x_wind: {wind[0]}, y_wind: {wind[1]}, x_sea_water_velocity: {current[0]}, "
                 f"y_sea_water_velocity: {current[1]}, land_binary_mask: 0"
                 + (f", sea_surface_wave_stokes_drift_x_velocity: {stokes[0]}, sea_surface_wave_stokes_drift_y_velocity: {stokes[1]}" if stokes else '')
                 + "}); "
                 + ''.join(f"set_config({k!r}, {v!r}); " for k, v in configs.items())
                 + f"seed_elements(lon={lon!r}, lat={lat!r}, number={number}, radius={radius}, time={seed_time!r}, object_type={object_type}); "
                 f"run(duration={duration_h} h, time_step={time_step}, time_step_output=3600, outfile=...)")
        attrs = {'opendrift_version': opendrift.__version__, 'opendrift_commit': od_commit(), 'opendrift_calls': calls}
        trimmed(nc, keep, os.path.join(OUT, f'{name}.nc'), attrs)
        if ascii_out:
            o.export_ascii(os.path.join(OUT, f'{name}.txt'))
    inputs = {'wind': wind, 'current': current, **({'stokes': stokes} if stokes else {}), 'number': number, 'object_type': object_type, 'time_step_s': time_step,
              'duration_h': duration_h, 'radius_m': radius, 'lon': lon, 'lat': lat,
              'seed_time': (seed_time[0] if isinstance(seed_time, list) else seed_time).isoformat() + 'Z',
              **({'seed_end_time': seed_time[1].isoformat() + 'Z'} if isinstance(seed_time, list) else {}),
              'configs': configs, 'opendrift_calls': calls, 'opendrift_version': opendrift.__version__}
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(inputs, f, indent=1)
    print(name, 'written')
    return o


# a. Backward run: OpenDrift flips element IDs at the start of run(), trajectory i is the particle seeded last-but-i.
run_case('backward_wind10E_cur_piw1_dt-900', wind=[10, 0], current=[0.2, 0.3], number=1000, object_type=1,
         time_step=-900, duration_h=24, radius=500)
# b. Capsizing at 30 m/s wind: capsized per particle and time.
o = run_case('capsize_wind30N_piw1_dt900', wind=[0, 30], current=[0, 0], number=1000, object_type=1,
             time_step=900, duration_h=6, configs={'processes:capsizing': True},
             keep=('lon', 'lat', 'status', 'orientation', 'capsized'))
# d. Leeway ASCII export of a forward run with a 3 h release window (the text file is OpenDrift's own
#    export_ascii output). Floats for lon/lat as a job's JSON numbers are: export_ascii prints them with str().
run_case('ascii_wind10E_piw1_dt900', wind=[10, 0], current=[0, 0.1], number=50, object_type=1,
         time_step=900, duration_h=6, radius=1000, ascii_out=True, lon=-30.0, lat=45.0,
         seed_time=[START, START + timedelta(hours=3)])
# e. Wind and current uncertainty (normal draws per active element and step: current x, current y, wind x,
#    wind y, inside get_environment before update()), and Stokes drift from constant wave forcing.
run_case('uncertainty_wind10E_cur_piw1_dt900', wind=[10, 0], current=[0.2, 0.3], number=1000, object_type=1,
         time_step=900, duration_h=6, configs={'drift:wind_uncertainty': 2.0, 'drift:current_uncertainty': 0.1})
run_case('stokes_wind10E_piw1_dt900', wind=[10, 0], current=[0, 0], number=1000, object_type=1,
         time_step=900, duration_h=6, configs={'drift:stokes_drift': True}, stokes=[0.15, -0.1])
