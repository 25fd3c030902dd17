/**
 * products/density.nc: probability of containment on a lon/lat grid fitted to the cloud over the whole
 * run (the gridding is src/products/density-grid.ts), dimensions time × lat × lon, CF-1.11 + ACDD-1.3.
 *
 *   probability(t, y, x)    = (drifting + stranded particles in the cell) / particles released at t
 *   particle_count(t, y, x) = drifting (not stranded) particles, standard_name number_of_observations
 *   stranded_count(t, y, x) = stranded particles
 *
 * so probability sums to 1 at every time over all released particles (stranded ones are still somewhere
 * to search). At a time when nothing is released yet, probability is 0 everywhere.
 *
 * With the mission's layers (density-layers.ts, issue 8 item 3; always from writeAllProducts):
 *   probability_smoothed(t, y, x) = the KDE map of the weighted drifting particles (the one the search
 *                                   areas are cut from), per cell; sums to drifting_probability(t)
 *   particle_count                = drifting particles only: those outside the forcing are taken out
 *   drifting_/stranded_/outside_probability(t), drifting_/stranded_/outside_count(t)
 *                                 = the posterior weight and the number of particles in each state
 */
import { wrapLonDeg } from '../model/geo.js';
import type { DensityGrid } from './density-grid.js';
import type { DensityLayers } from './density-layers.js';
import { acddAttributes, missionAttributes, TIME_UNITS, type LonLatExtent } from './acdd.js';
import { writeNetcdf, type NcChunkArray, type NcDataset, type WriteNetcdfOptions, type WriteNetcdfResult } from '../netcdf/index.js';
import type { ProductContext } from './types.js';

/** EPSG:4326 as OGC WKT2 (the registry's definition), for readers that build the CRS from crs_wkt. */
const WGS84_WKT =
  'GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]]],' +
  'PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],CS[ellipsoidal,2],' +
  'AXIS["geodetic latitude (Lat)",north,ORDER[1],ANGLEUNIT["degree",0.0174532925199433]],' +
  'AXIS["geodetic longitude (Lon)",east,ORDER[2],ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4326]]';

/** Cell centres and [lower, upper] edges along one axis. */
function axis(startDeg: number, dDeg: number, n: number): { centres: Float64Array; bounds: Float64Array } {
  const centres = new Float64Array(n);
  const bounds = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    centres[i] = startDeg + (i + 0.5) * dDeg;
    bounds[2 * i] = startDeg + i * dDeg;
    bounds[2 * i + 1] = startDeg + (i + 1) * dDeg;
  }
  return { centres, bounds };
}

/** Probability, computed chunk by chunk so it never exists as a whole array. */
function probabilityFiller(grid: DensityGrid): (start: number, count: number, out: NcChunkArray) => void {
  const cellsPerTime = grid.nx * grid.ny;
  const { counts, stranded, releasedPerTime } = grid;
  const invReleased = (t: number): number => {
    const released = releasedPerTime[t] ?? 0;
    return released > 0 ? 1 / released : 0;
  };
  return (start, count, out) => {
    let t = Math.floor(start / cellsPerTime);
    let nextT = (t + 1) * cellsPerTime;
    let inv = invReleased(t);
    for (let i = 0; i < count; i++) {
      const e = start + i;
      if (e >= nextT) {
        t = Math.floor(e / cellsPerTime);
        nextT = (t + 1) * cellsPerTime;
        inv = invReleased(t);
      }
      // e < cellsPerTime * nTimes (the writer asks for chunks of this variable): `?? 0` only satisfies the type.
      out[i] = ((counts[e] ?? 0) + (stranded[e] ?? 0)) * inv;
    }
  };
}

/** Grid edges as an ACDD extent: longitudes wrapped to [-180, 180), west > east across the antimeridian. */
export function gridExtent(grid: DensityGrid): LonLatExtent {
  const widthDeg = grid.nx * grid.dLonDeg;
  const westDeg = wrapLonDeg(grid.westDeg);
  const eastDeg = westDeg + widthDeg;
  return {
    lonMinDeg: widthDeg >= 360 ? -180 : westDeg,
    lonMaxDeg: widthDeg >= 360 ? 180 : eastDeg > 180 ? eastDeg - 360 : eastDeg,
    latMinDeg: grid.southDeg,
    latMaxDeg: Math.min(90, grid.southDeg + grid.ny * grid.dLatDeg),
  };
}

/** Drifting particles per cell: the grid's non-stranded count less those outside the forcing. */
function driftingCountFiller(grid: DensityGrid, outside: Uint32Array): (start: number, count: number, out: NcChunkArray) => void {
  const { counts } = grid;
  return (start, count, out) => {
    // In bounds (chunks of this variable, same layout as counts): `?? 0` only satisfies the type.
    for (let i = 0; i < count; i++) out[i] = (counts[start + i] ?? 0) - (outside[start + i] ?? 0);
  };
}

/** The variables the mission's layers add (see the module header). */
function layerVars(l: DensityLayers, cube: string[], cellAttrs: Record<string, string>): NcDataset['vars'] {
  const perTime = (name: string, type: 'double' | 'int', longName: string, comment: string, values: Float64Array | Uint32Array) => ({
    name,
    type,
    dims: ['time'],
    attrs: { long_name: longName, units: '1', comment },
    values,
  });
  return [
    {
      name: 'probability_smoothed',
      type: 'float',
      dims: cube,
      attrs: {
        long_name: 'smoothed probability of containment of the drifting particles (kernel density estimate, per cell)',
        units: '1',
        valid_range: [0, 1],
        ...cellAttrs,
        comment:
          'Gaussian kernel density estimate of the weighted drifting particles (Scott bandwidth along the cloud principal axes), ' +
          'integrated over each cell: the map the 50/90/95 % search areas are cut from. Stranded particles and particles outside ' +
          'the forcing are excluded. Sums over the grid to drifting_probability at each time, less smoothed_probability_off_grid.',
      },
      values: l.smoothed,
    },
    perTime('smoothed_probability_off_grid', 'double', 'drifting probability not shown in probability_smoothed', 'kernel tails beyond the grid edges and beyond the kernel truncation at 4 bandwidths', l.smoothedOffGrid),
    perTime('drifting_probability', 'double', 'probability that the object is drifting (weight of the drifting particles)', 'posterior particle weights after any completed searches; drifting + stranded + outside = 1 once all are released', l.driftingProbability),
    perTime('stranded_probability', 'double', 'probability that the object is stranded on the coast (weight of the stranded particles)', 'not in probability_smoothed; where: stranded_count per cell', l.strandedProbability),
    perTime('outside_probability', 'double', 'probability carried by particles that left the forcing field', 'such particles are frozen at the edge of the forcing: their position is not a drift prediction; never counted as drifting', l.outsideProbability),
    perTime('drifting_count', 'int', 'drifting particles', 'status active', l.driftingCount),
    perTime('stranded_count_total', 'int', 'stranded particles', 'status stranded; per cell in stranded_count', l.strandedCount),
    perTime('outside_count', 'int', 'particles outside the forcing field', 'status missing_data (left the forcing); not in particle_count', l.outsideCount),
  ];
}

export function densityDataset(grid: DensityGrid, ctx: ProductContext, layers?: DensityLayers): NcDataset {
  const lon = axis(grid.westDeg, grid.dLonDeg, grid.nx);
  const lat = axis(grid.southDeg, grid.dLatDeg, grid.ny);
  const cube = ['time', 'lat', 'lon'];
  const cellAttrs = { grid_mapping: 'crs', cell_methods: 'time: point area: sum' };
  const requested = grid.requestedCellM;
  const coarsened = grid.cellM > requested * (1 + 1e-9);
  const m = ctx.model;
  const c = ctx.category;
  const summary =
    `Probability of containment for Leeway object category ${c.id} ${c.key}: the fraction of the released particles ` +
    `(${m.numParticles} in all) in each ${Math.round(grid.cellM)} m grid cell at each output time, with drifting and ` +
    `stranded particle counts, from driftline's Leeway simulation of mission ${ctx.missionId}.`;
  return {
    dims: [
      { name: 'time', size: grid.nTimes },
      { name: 'lat', size: grid.ny },
      { name: 'lon', size: grid.nx },
      { name: 'bnds', size: 2 },
    ],
    attrs: {
      ...acddAttributes(ctx, {
        title: `Leeway probability of containment: ${c.key} (category ${c.id}), mission ${ctx.missionId}`,
        summary,
        cdmDataType: 'Grid',
        processingLevel: 'Model output: gridded particle density derived from Lagrangian trajectories',
        extent: gridExtent(grid),
        timesSec: grid.timesSec,
        outputStepSec: m.outputStepSec,
      }),
      geospatial_lat_resolution: `${grid.dLatDeg} degrees`,
      geospatial_lon_resolution: `${grid.dLonDeg} degrees`,
      density_cell_size_m: grid.cellM,
      density_cell_size_requested_m: requested,
      ...(coarsened
        ? { density_cell_size_comment: `cells coarsened from the requested ${requested} m to ${Math.round(grid.cellM)} m to cap the grid's memory` }
        : {}),
      ...missionAttributes(ctx),
    },
    vars: [
      {
        name: 'time',
        type: 'double',
        dims: ['time'],
        attrs: { standard_name: 'time', long_name: 'time', units: TIME_UNITS, calendar: 'standard', axis: 'T' },
        values: grid.timesSec,
      },
      {
        name: 'lat',
        type: 'double',
        dims: ['lat'],
        attrs: { standard_name: 'latitude', long_name: 'latitude of cell centre', units: 'degrees_north', axis: 'Y', bounds: 'lat_bnds' },
        values: lat.centres,
      },
      {
        name: 'lon',
        type: 'double',
        dims: ['lon'],
        attrs: {
          standard_name: 'longitude',
          long_name: 'longitude of cell centre',
          units: 'degrees_east',
          axis: 'X',
          bounds: 'lon_bnds',
          comment: 'monotonic; may pass beyond +/-180 when the grid crosses the antimeridian',
        },
        values: lon.centres,
      },
      { name: 'lat_bnds', type: 'double', dims: ['lat', 'bnds'], attrs: { long_name: 'latitude cell edges', units: 'degrees_north' }, values: lat.bounds },
      { name: 'lon_bnds', type: 'double', dims: ['lon', 'bnds'], attrs: { long_name: 'longitude cell edges', units: 'degrees_east' }, values: lon.bounds },
      {
        name: 'crs',
        type: 'int',
        dims: [],
        attrs: {
          grid_mapping_name: 'latitude_longitude',
          longitude_of_prime_meridian: 0,
          semi_major_axis: 6378137,
          inverse_flattening: 298.257223563,
          crs_wkt: WGS84_WKT,
          epsg_code: 'EPSG:4326',
        },
        values: [0],
      },
      {
        name: 'probability',
        type: 'float',
        dims: cube,
        attrs: layers?.weightedProbability
          ? {
              long_name: 'probability of containment (weight of the drifting and stranded particles in the cell over the weight released)',
              units: '1',
              valid_range: [0, 1],
              ...cellAttrs,
              comment:
                'Particle weights: the scenario prior and the completed searches (the posterior, as every product). Particles outside the forcing ' +
                'are left out (outside_probability), so a time sums to 1 less their share; 0 everywhere before the first release.',
            }
          : {
              long_name: 'probability of containment (fraction of released particles in the cell)',
              units: '1',
              valid_range: [0, 1],
              ...cellAttrs,
              comment: 'Sums to 1 over the grid at every time with released particles (drifting and stranded); 0 everywhere before the first release.',
            },
        values: layers?.weightedProbability ?? probabilityFiller(grid),
      },
      {
        name: 'particle_count',
        type: 'int',
        dims: cube,
        attrs: {
          standard_name: 'number_of_observations',
          long_name: layers ? 'drifting particles in the cell (neither stranded nor outside the forcing)' : 'drifting (not stranded) particles in the cell',
          units: '1',
          ...cellAttrs,
        },
        values: layers?.outsideCells ? driftingCountFiller(grid, layers.outsideCells) : grid.counts,
      },
      {
        name: 'stranded_count',
        type: 'int',
        dims: cube,
        attrs: { long_name: 'stranded particles in the cell', units: '1', ...cellAttrs },
        values: grid.stranded,
      },
      {
        name: 'released_count',
        type: 'int',
        dims: ['time'],
        attrs: { long_name: 'particles released so far (the denominator of probability)', units: '1' },
        values: grid.releasedPerTime,
      },
      ...(layers ? layerVars(layers, cube, cellAttrs) : []),
    ],
  };
}

/** Write products/density.nc for a grid built once by buildDensityGrid. Streams in 1 MiB chunks. */
export async function writeDensityNc(
  grid: DensityGrid,
  ctx: ProductContext,
  filePath: string,
  opts: WriteNetcdfOptions = {},
  layers?: DensityLayers,
): Promise<WriteNetcdfResult> {
  return writeNetcdf(filePath, densityDataset(grid, ctx, layers), opts);
}
