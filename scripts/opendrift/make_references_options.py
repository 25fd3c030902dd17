#!/usr/bin/env python3
"""OpenDrift references for issue 10 items 4 (horizontal diffusivity, seed:ocean_only,
general:coastline_approximation_precision) and 5 (ensemble forcing), by running the real OpenDrift Leeway
(by hand, never in CI). Setup as make_references.py (OpenDrift 1.14.10, commit 130bc999, Debian python3,
the kit's stubs first on the path).

The forcing files are driftline's own synthetic ones: write them first with `scripts/make-forcing --out DIR`
(deterministic; the tests write the same files again into a temporary folder).

  ensemble_<name>.nc      wind and current from wind_ensemble.nc / current_ensemble.nc (3 members each)
  diffusivity_<name>.nc   Leeway with the basemodel random walk switched on (see DiffusiveLeeway)
  d2_<name>.nc            a 48 h run on current_arctic20.nc (polar stereographic, 20 km cells)
  land_<name>.nc          land from land_island.nc (as OpenDrift's global landmask), seed:ocean_only and
                          coastline_approximation_precision
  <name>.json             the inputs of each run

Usage: PYTHONPATH=$KIT/stubs:$KIT/src /usr/bin/python3 scripts/opendrift/make_references_options.py FORCING_DIR [outdir] [only]
"""
import json
import os
import sys
import tempfile
from datetime import datetime, timedelta

import numpy as np
import xarray as xr
import opendrift
import opendrift.models.basemodel as basemodel
from opendrift.models.leeway import Leeway
from opendrift.readers import reader_global_landmask, reader_netCDF_CF_generic

sys.path.insert(0, os.path.dirname(__file__))
from make_references import od_commit, trimmed  # noqa: E402  (same trimming and provenance as the other references)

FORCING = sys.argv[1]
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'opendrift')
ONLY = sys.argv[3] if len(sys.argv) > 3 else None
START = datetime(2024, 1, 1)


class DiffusiveLeeway(Leeway):
    """Leeway plus the environment variable `horizontal_diffusivity` (fallback 0).

    OpenDrift 1.14.10's Leeway does not list horizontal_diffusivity among its required variables, so the
    basemodel's horizontal_diffusion() (basemodel/__init__.py ~1746-1770: after update(), x then y draws of
    normal(0, 1, num_active) scaled by sqrt(2 D / |dt|), moved with update_positions) returns at once. Listing
    the variable, as OceanDrift does (`'horizontal_diffusivity': {'fallback': 0}`), is all it takes; the value
    then comes from `environment:constant:horizontal_diffusivity` (the 1.14.9+ name of the old config key
    drift:horizontal_diffusivity). Nothing else of Leeway changes.
    """
    required_variables = {**Leeway.required_variables, 'horizontal_diffusivity': {'fallback': 0}}


class MaskLandmask:
    """Stands in for roaring_landmask (the GSHHG landmask; the kit's stub answers "ocean" everywhere) and
    answers from driftline's mask file instead, nearest cell. Installed as the global landmask reader's mask
    (`general:use_auto_landmask` True, so land_binary_mask comes from it) and as basemodel's `rl`, which
    OpenDrift 1.14.10's coastline_crossing() queries whatever the land reader is. A land_binary_mask *file*
    reader was not used: its nearest interpolation (interpolators.py Nearest2DInterpolator) scales the
    index by len(grid) instead of len(grid) - 1 over the reader's block, so which cell a position falls in
    depends on the block OpenDrift happened to read (off by up to one cell at the block's far side)."""

    def __init__(self, path):
        ds = xr.open_dataset(path)
        self.lon = ds['lon'].values.astype(np.float64)
        self.lat = ds['lat'].values.astype(np.float64)
        self.mask = ds['land_binary_mask'].values

    def contains_many(self, x, y):
        # Regular axes from their end points (as driftline's readers take them; the float32 step between the
        # first two values would move cell edges by up to 0.02 % of the axis).
        dlon = (self.lon[-1] - self.lon[0]) / (len(self.lon) - 1)
        dlat = (self.lat[-1] - self.lat[0]) / (len(self.lat) - 1)
        ix = np.clip(np.floor((np.asarray(x, dtype=np.float64) - self.lon[0]) / dlon + 0.5).astype(int), 0, len(self.lon) - 1)
        iy = np.clip(np.floor((np.asarray(y, dtype=np.float64) - self.lat[0]) / dlat + 0.5).astype(int), 0, len(self.lat) - 1)
        return self.mask[iy, ix] == 1


def run_case(name, *, cls=Leeway, number, object_type=1, time_step=900, duration_h=6, radius=0, lon, lat,
             readers=(), constants=None, configs=None, keep=('lon', 'lat', 'status', 'orientation'), note='',
             auto_landmask=False):
    if ONLY and ONLY not in name:
        return
    configs = configs or {}
    constants = constants or {}
    o = cls(loglevel=50)  # seed=0: np.random.seed(0)
    o.set_config('general:use_auto_landmask', auto_landmask)
    for r in readers:
        o.add_reader(reader_netCDF_CF_generic.Reader(os.path.join(FORCING, r)))
    for k, v in constants.items():
        o.set_config(f'environment:constant:{k}', v)
    for k, v in configs.items():
        o.set_config(k, v)
    o.seed_elements(lon=lon, lat=lat, number=number, radius=radius, time=START, object_type=object_type)
    calls = (f"{cls.__name__}(loglevel=50); set_config('general:use_auto_landmask', {auto_landmask}); "
             + ''.join(f"add_reader(reader_netCDF_CF_generic.Reader({r!r})); " for r in readers)
             + ''.join(f"set_config('environment:constant:{k}', {v!r}); " for k, v in constants.items())
             + ''.join(f"set_config({k!r}, {v!r}); " for k, v in configs.items())
             + f"seed_elements(lon={lon!r}, lat={lat!r}, number={number}, radius={radius}, time={START!r}, object_type={object_type}); "
             f"run(duration={duration_h} h, time_step={time_step}, time_step_output=3600, outfile=...)")
    with tempfile.TemporaryDirectory() as tmp:
        nc = os.path.join(tmp, 'od.nc')
        o.run(duration=timedelta(hours=duration_h), time_step=time_step, time_step_output=3600, outfile=nc)
        attrs = {'opendrift_version': opendrift.__version__, 'opendrift_commit': od_commit(), 'opendrift_calls': calls, 'note': note}
        trimmed(nc, keep, os.path.join(OUT, f'{name}.nc'), attrs)
        ds = xr.open_dataset(nc)
        status_meanings = str(ds['status'].attrs.get('flag_meanings', ''))
    inputs = {'readers': list(readers), 'constants': constants, 'configs': configs, 'number': number,
              'object_type': object_type, 'time_step_s': time_step, 'duration_h': duration_h, 'radius_m': radius,
              'lon': lon, 'lat': lat, 'seed_time': START.isoformat() + 'Z', 'opendrift_calls': calls,
              'opendrift_version': opendrift.__version__, 'status_meanings': status_meanings, 'note': note}
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(inputs, f, indent=1)
    print(name, 'written', status_meanings)


# 5. Ensemble forcing: 3-member wind and current files. Inside the grid, and at its eastern edge, where
#    particles leave the forcing (missing_data) and shift the member of every later element in the array.
run_case('ensemble_wind3_cur3_piw1_dt900', number=300, radius=2000, lon=6.0, lat=60.0,
         readers=('wind_ensemble.nc', 'current_ensemble.nc'), constants={'land_binary_mask': 0},
         note='wind and current from 3-member ensemble files (driftline scripts/make-forcing)')
run_case('ensemble_edge_wind3_cur3_piw1_dt900', number=300, radius=2000, lon=7.95, lat=60.0,
         readers=('wind_ensemble.nc', 'current_ensemble.nc'), constants={'land_binary_mask': 0},
         note='as ensemble_wind3_cur3 but seeded 0.05 deg from the grid eastern edge: particles leave the forcing')
# d2 (issue 10): a polar-stereographic current on Arctic20's 20 km grid for 48 h: projection, grid-index
#    interpolation and vector rotation of a projected file, particle for particle.
run_case('d2_arctic20_current_piw1_dt900', number=1000, radius=10000, lon=20.0, lat=75.0, duration_h=48,
         readers=('current_arctic20.nc',), constants={'x_wind': 0, 'y_wind': 0, 'land_binary_mask': 0},
         note='current from current_arctic20.nc (polar stereographic, lat_ts 60, lon_0 58, WGS84, 20 km cells; driftline scripts/make-forcing), no wind')
# 4. Horizontal diffusivity 10 m2/s as the basemodel random walk (DiffusiveLeeway above).
run_case('diffusivity_wind10E_cur_piw1_dt900', cls=DiffusiveLeeway, number=1000, lon=-30, lat=45,
         constants={'x_wind': 10, 'y_wind': 0, 'x_sea_water_velocity': 0.2, 'y_sea_water_velocity': 0.3,
                    'land_binary_mask': 0, 'horizontal_diffusivity': 10},
         note='Leeway subclass listing horizontal_diffusivity (fallback 0) so that the basemodel random walk runs')
# 4. Land options on the island of land_island.nc; the coastline crossing searched on the same mask.
basemodel.rl = reader_global_landmask.__roaring_mask__ = MaskLandmask(os.path.join(FORCING, 'land_island.nc'))
LAND = dict(number=300, radius=1500, lon=5.62, lat=59.502, auto_landmask=True,
            constants={'x_wind': -10, 'y_wind': 0, 'x_sea_water_velocity': -0.3, 'y_sea_water_velocity': 0})
run_case('land_ocean_only_false_piw1_dt900', **LAND, configs={'seed:ocean_only': False},
         note='seed:ocean_only False: particles seeded on the island stay there (stranded at the first step)')
run_case('land_precision_0005_piw1_dt900', **LAND, configs={'general:coastline_approximation_precision': 0.005},
         note='stranded particles put on the first land node of a 0.005 deg lattice (the largest OpenDrift accepts) between previous and new position')
run_case('land_precision_none_piw1_dt900', **LAND, configs={'general:coastline_approximation_precision': None},
         note='coastline_approximation_precision None: stranded particles keep the position where land was found')
run_case('land_previous_precision_piw1_dt900', **LAND, configs={'general:coastline_action': 'previous'},
         note="coastline_action previous with the default precision 0.001: back to the last water node of the lattice")
