/**
 * The land a mission runs with, decided once: the forcing's land mask when it has one, else the global
 * coastline's tiles over the mission window (src/land/tiled.ts: nothing read for open ocean, 28.8 kB
 * per coastal 1° tile), or none for coastline action 'none'. The same raster goes to simulate() and to
 * the animation, so the video draws exactly the cells the model used.
 */
import { missionCoastline, windowBounds, type CoastlineOptions } from '../land/coastline.js';
import type { LandRaster } from '../land/types.js';
import type { ModelParams } from '../model/types.js';
import { missionWindow } from '../model/window.js';

export async function missionLand(model: ModelParams, forcingLand: LandRaster | null, coastline?: CoastlineOptions): Promise<LandRaster | null> {
  if (model.coastlineAction === 'none') return null;
  if (forcingLand !== null) return forcingLand;
  return missionCoastline(windowBounds(missionWindow(model)), coastline);
}
