#!/usr/bin/env python3
"""Opens a driftline particles.nc with the local OpenDrift's tools (by hand, never in CI) and prints OK/FAIL per call.
Usage: PYTHONPATH=$KIT/stubs:$KIT/src /usr/bin/python3 scripts/opendrift/check_particles_nc.py particles.nc OUTDIR
plot/animation use hide_landmask=True: the kit's roaring_landmask stub cannot draw land."""
import sys, os, traceback, warnings
import numpy as np, xarray as xr
import matplotlib; matplotlib.use('Agg')
import opendrift
f = sys.argv[1]; out = sys.argv[2]
def step(name, fn):
    try:
        r = fn(); print(f'OK   {name}', '' if r is None else r)
    except Exception as e:
        print(f'FAIL {name}: {type(e).__name__}: {e}'); traceback.print_exc(limit=3, file=sys.stdout)
ds = xr.open_dataset(f)
print('xarray data_vars has lon/lat:', 'lon' in ds.data_vars, 'lat' in ds.data_vars, '; coords:', list(ds.coords))
print('cf_role:', ds.trajectory.attrs.get('cf_role'), 'featureType:', ds.attrs.get('featureType'))
print('status dtype after decode:', ds.status.dtype, 'meanings:', ds.status.flag_meanings)
o = None
def op():
    global o; o = opendrift.open(f); return type(o).__name__
step('opendrift.open', op)
if o is not None:
    step('status_categories', lambda: o.status_categories)
    step('time_step', lambda: (o.time_step, o.time_step_output))
    step('config seed:object_type', lambda: o.get_config('seed:object_type'))
    step('config processes:capsizing', lambda: o.get_config('processes:capsizing'))
    step('num elements', lambda: (o.num_elements_active(), o.num_elements_deactivated()))
    step('plot(fast=True, hide_landmask=True)', lambda: o.plot(fast=True, hide_landmask=True, filename=os.path.join(out, 'plot.png')))
    step('animation(fast=True, hide_landmask=True)', lambda: o.animation(fast=True, hide_landmask=True, filename=os.path.join(out, 'anim.gif')))
    def dens():
        H, Hsub, Hsurf, lon_array, lat_array = o.get_density_array(pixelsize_m=2000)
        return (H.shape, float(H[-1].sum()))
    step('get_density_array', dens)
    step('write_netcdf_density_map', lambda: o.write_netcdf_density_map(os.path.join(out, 'density_map.nc'), pixelsize_m=2000))
    if hasattr(o, 'export_ascii'):
        step('export_ascii (Leeway)', lambda: o.export_ascii(os.path.join(out, 'od_ascii.txt')))
