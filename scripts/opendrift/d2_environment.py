#!/usr/bin/env python3
"""Case d2 (issue 10) on the real OpenDrift, instrumented: for every step and particle, the reader's x/y,
the interpolated grid components before rotation, the rotated current, and the current Leeway.update()
sees. Used to find where driftline's currents differed from OpenDrift's (test/unit/model-opendrift-d2.test.ts):
compare `rx, ry` with driftline's projection, `ru, rv` with its bilinear interpolation at OpenDrift's
index, `cu, cv` with its sampler at OpenDrift's positions (`lon, lat`). By hand, never in CI; setup as
make_references.py.

Usage: scripts/make-forcing --out DIR
       PYTHONPATH=$KIT/stubs:$KIT/src /usr/bin/python3 scripts/opendrift/d2_environment.py DIR/current_arctic20.nc OUT
writes OUT.nc (OpenDrift's output) and OUT_env.npz (arrays [step, particle]; `t` seconds from the start).
"""
import sys
from datetime import datetime, timedelta

import numpy as np
from opendrift.models.leeway import Leeway
from opendrift.readers import reader_netCDF_CF_generic
from opendrift.readers.basereader.variables import Variables

FORCING, OUT = sys.argv[1], sys.argv[2]
START = datetime(2024, 1, 1)
rotations = []
_rotate = Variables.rotate_vectors


def rotate_logged(self, reader_x, reader_y, u, v, proj_from, proj_to):
    ur, vr = _rotate(self, reader_x, reader_y, u, v, proj_from, proj_to)
    rotations.append([np.array(a, dtype=np.float64, copy=True) for a in (reader_x, reader_y, u, v, ur, vr)])
    return ur, vr


Variables.rotate_vectors = rotate_logged
steps = []


class LoggedLeeway(Leeway):
    def update(self):
        e = self.elements
        steps.append(((self.time - START).total_seconds(), e.lon.copy(), e.lat.copy(),
                      np.array(self.environment.x_sea_water_velocity, dtype=np.float64),
                      np.array(self.environment.y_sea_water_velocity, dtype=np.float64)))
        return super().update()


# The same run as make_references_options.py's d2_arctic20_current_piw1_dt900.
o = LoggedLeeway(loglevel=50)
o.set_config('general:use_auto_landmask', False)
o.add_reader(reader_netCDF_CF_generic.Reader(FORCING))
for k, v in {'x_wind': 0, 'y_wind': 0, 'land_binary_mask': 0}.items():
    o.set_config(f'environment:constant:{k}', v)
o.seed_elements(lon=20.0, lat=75.0, number=1000, radius=10000, time=START, object_type=1)
o.run(duration=timedelta(hours=48), time_step=900, time_step_output=3600, outfile=OUT + '.nc')
r = [np.stack(c) for c in zip(*rotations)]
s = [np.stack(c) if i else np.array(c) for i, c in enumerate(zip(*steps))]
np.savez_compressed(OUT + '_env.npz', t=s[0], lon=s[1], lat=s[2], cu=s[3], cv=s[4],
                    rx=r[0], ry=r[1], ru=r[2], rv=r[3], rur=r[4], rvr=r[5])
print(f'{len(steps)} steps, {len(rotations)} rotations written to {OUT}_env.npz')
