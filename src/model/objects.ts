/**
 * The 85 Leeway object categories, in OpenDrift's numbering (the 1-based position in OBJECTPROP.DAT,
 * which equals the printed id for all 85). Slopes are in % of the 10 m wind speed; offsets and
 * standard deviations in cm/s, as in the table. Category 67 (SLDMB) is all zeros: a pure current
 * follower. Generated once from the Leeway category table; edit the numbers only against that table.
 */

export interface LeewayCategory {
  /** 1..85 */
  id: number;
  /** OBJKEY, e.g. `PIW-1` */
  key: string;
  /** Description as OpenDrift keeps it, sub-class markers (`>`, `>>`) included. */
  description: string;
  dwSlopePct: number;
  dwOffsetCmps: number;
  dwStdCmps: number;
  cwrSlopePct: number;
  cwrOffsetCmps: number;
  cwrStdCmps: number;
  cwlSlopePct: number;
  cwlOffsetCmps: number;
  cwlStdCmps: number;
}

type Row = [
  key: string,
  description: string,
  dwSlopePct: number,
  dwOffsetCmps: number,
  dwStdCmps: number,
  cwrSlopePct: number,
  cwrOffsetCmps: number,
  cwrStdCmps: number,
  cwlSlopePct: number,
  cwlOffsetCmps: number,
  cwlStdCmps: number,
];

// [key, description, DWSLOPE, DWOFFSET, DWSTD, CWRSLOPE, CWROFFSET, CWRSTD, CWLSLOPE, CWLOFFSET, CWLSTD]
const ROWS: Row[] = [
  ["PIW-1", "Person-in-water (PIW), unknown state (mean values)", 0.96, 0.0, 12.0, 0.54, 0.0, 9.4, -0.54, 0.0, 9.4],
  ["PIW-2", ">PIW, vertical PFD type III conscious", 0.48, 0.0, 8.3, 0.15, 0.0, 6.7, -0.15, 0.0, 6.7],
  ["PIW-3", ">PIW, sitting, PFD type I or II", 1.6, -3.98, 2.42, 0.13, 0.33, 2.11, -0.13, -0.33, 2.11],
  ["PIW-4", ">PIW, survival suit (face up)", 1.71, 1.12, 3.93, 1.36, -3.3, 1.71, -0.13, -2.65, 1.62],
  ["PIW-5", ">PIW, scuba suit (face up)", 0.63, 0.0, 5.3, 0.31, 0.0, 4.5, -0.31, 0.0, 4.5],
  ["PIW-6", ">PIW, deceased (face down)", 1.117, 10.2, 3.04, 0.04, 3.9, 4.05, -0.04, -3.9, 4.05],
  ["LIFE-RAFT-DB-10", "Life raft, deep ballast (DB) system, general, unknown capacity and loading (mean values)", 3.52, -2.5, 6.1, 0.62, -3.0, 3.5, -0.45, -0.2, 3.6],
  ["LIFE-RAFT-DB-11", ">4-14 person capacity, deep ballast system, canopy (average)", 3.5, -1.8, 6.4, 0.78, -3.6, 3.6, -0.47, -0.1, 3.9],
  ["LIFE-RAFT-DB-12", ">>4-14 person capacity, deep ballast system, no drogue", 3.75, -2.3, 4.4, 0.78, -3.6, 3.6, -0.47, -0.1, 3.9],
  ["LIFE-RAFT-DB-13", ">>>4-14 person capacity, deep ballast system, canopy, no drogue, light loading", 3.75, -2.32, 4.51, 1.0, -5.31, 3.91, -0.47, -0.14, 3.91],
  ["LIFE-RAFT-DB-14", ">>>4-14 person capacity, deep ballast system, no drogue, heavy loading", 3.59, -1.92, 2.56, 0.48, -0.16, 2.17, -0.48, 0.16, 2.17],
  ["LIFE-RAFT-DB-15", ">>4-14 person capacity, deep ballast system, canopy, with drogue (average)", 1.91, 0.9, 1.6, 0.78, -3.6, 3.6, -0.47, -0.1, 3.9],
  ["LIFE-RAFT-DB-16", ">>>4-14 person capacity, deep ballast system, canopy, with drogue, light loading", 1.95, -0.53, 3.59, 0.21, 1.29, 2.15, -0.21, -1.29, 2.15],
  ["LIFE-RAFT-DB-17", ">>>4-14 person capacity, deep ballast system, canopy, with drogue, heavy loading", 2.19, -0.96, 1.01, 1.39, -7.9, 1.46, -1.39, 7.9, 1.46],
  ["LIFE-RAFT-DB-18", ">15-50 person capacity, deep ballast system, canopy, general (mean values)", 3.68, -4.96, 5.37, 0.34, -1.85, 2.5, -0.49, 1.58, 2.63],
  ["LIFE-RAFT-DB-19", ">>15-50 person capacity, deep ballast system, canopy, no drogue, light loading", 3.93, -3.3, 3.01, 0.38, -3.33, 2.16, -0.59, 1.59, 2.28],
  ["LIFE-RAFT-DB-20", ">>15-50 person capacity, deep ballast system, canopy, with drogue, heavy loading", 3.15, -4.49, 3.35, 0.39, -1.8, 2.5, -0.38, 2.98, 1.64],
  ["LIFE-RAFT-DB-21", "Deep ballast system, general (mean values), capsized", 0.88, 0.0, 2.5, 0.18, 0.0, 2.4, -0.18, 0.0, 2.4],
  ["LIFE-RAFT-DB-22", "Deep ballast system, general (mean values), swamped", 0.99, 0.0, 2.4, 0.14, 0.0, 2.3, -0.14, 0.0, 2.3],
  ["LIFE-RAFT-SB-6", "Life-raft, shallow ballast (SB) system AND canopy, general (mean values)", 2.68, 0.0, 12.0, 1.1, 0.0, 9.4, -1.1, 0.0, 9.4],
  ["LIFE-RAFT-SB-7", ">Life-raft, shallow ballast system, canopy, no drogue", 2.96, 0.0, 1.5, 1.21, 0.0, 1.7, -1.21, 0.0, 1.7],
  ["LIFE-RAFT-SB-8", ">Life-raft, shallow ballast system AND canopy, with drogue", 2.31, 0.0, 4.0, 0.95, 0.0, 3.5, -0.95, 0.0, 3.5],
  ["LIFE-RAFT-SB-9", "Life-raft, shallow ballast system AND canopy, capsized", 1.68, 0.0, 2.4, 0.24, 0.0, 2.4, -0.24, 0.0, 2.4],
  ["LIFE-RAFT-SB-10", "Life Raft - Shallow ballast, canopy, Navy Sub Escape (SEIE) 1-man raft, NO drogue", 3.3, -3.9, 4.2, 0.5, 7.0, 5.7, 0.1, -6.2, 3.6],
  ["LIFE-RAFT-SB-11", "Life Raft - Shallow ballast, canopy, Navy Sub Escape (SEIE) 1-man raft, with drogue", 1.7, -3.9, 4.2, 0.0, 5.7, 3.3, 0.0, -3.4, 2.2],
  ["LIFE-RAFT-NB-1", "Life-raft, no ballast (NB) system, general (mean values)", 3.7, 0.0, 12.0, 1.98, 0.0, 9.4, -1.98, 0.0, 9.4],
  ["LIFE-RAFT-NB-2", ">Life-raft, no ballast system, no canopy, no drogue", 5.34, 9.91, 9.82, 2.26, 1.04, 9.08, -2.26, -1.04, 9.08],
  ["LIFE-RAFT-NB-3", ">Life-raft, no ballast system, no canopy, with drogue", 3.15, -4.47, 4.0, 1.51, 0.0, 5.0, -1.51, 0.0, 5.0],
  ["LIFE-RAFT-NB-4", ">Life-raft, no ballast system, with canopy, no drogue", 3.39, 0.0, 2.4, 1.49, 0.0, 2.4, -1.49, 0.0, 2.4],
  ["LIFE-RAFT-NB-5", ">Life-raft, no ballast system, with canopy, with drogue", 1.21, 0.0, 12.0, 0.92, 0.0, 9.4, -0.92, 0.0, 9.4],
  ["USCG-RESCUE", "Survival Craft - USCG Sea Rescue Kit - 3 ballasted life rafts and 300 meter of line", 2.48, 0.0, 3.8, 0.32, 0.0, 3.4, -0.32, 0.0, 3.4],
  ["AVIATION-1", "Life-raft, 4-6 person capacity, no ballast, with canopy, no drogue", 3.39, 0.0, 2.4, 1.49, 0.0, 2.4, -1.49, 0.0, 2.4],
  ["AVIATION-2", "Evacuation slide with life-raft, 46 person capacity", 2.71, 0.0, 3.8, 0.72, 0.0, 3.4, -0.72, 0.0, 3.4],
  ["LIFE-CAPSULE", "Survival Craft - SOLAS Hard Shell Life Capsule, 22 man", 3.52, 0.0, 1.9, 1.44, 0.0, 2.0, -1.44, 0.0, 2.0],
  ["OVATEK-CRAFT-1", "Survival Craft - Ovatek Hard Shell Life Raft, 4 and 7-man, lightly loaded, no drogue (average)", 3.51, 3.49, 5.66, 1.08, -1.24, 5.35, -1.721, 4.67, 6.24],
  ["OVATEK-CRAFT-2", ">Survival Craft - Ovatek Hard Shell Life Raft, 4 man, lightly loaded, no drogue", 3.86, 0.01, 2.75, 0.32, 1.31, 2.62, -0.19, -2.67, 2.81],
  ["OVATEK-CRAFT-3", ">Survival Craft - Ovatek Hard Shell Life Raft, 7 man, lightly loaded, no drogue", 3.26, 6.16, 6.65, 2.32, -7.33, 4.77, -2.1, 6.02, 5.35],
  ["OVATEK-CRAFT-4", "Survival Craft - Ovatek Hard Shell Life Raft, 4 and 7-man, fully loaded, drogued (average)", 1.04, 2.99, 2.13, 0.034, 1.57, 1.3, -0.02, -0.96, 1.17],
  ["OVATEK-CRAFT-5", ">Survival Craft - Ovatek Hard Shell Life Raft, 4 man, fully loaded, drogued", 1.09, 2.31, 1.59, 0.027, 0.95, 0.99, -0.07, -0.79, 1.31],
  ["OVATEK-CRAFT-6", ">Survival Craft - Ovatek Hard Shell Life Raft, 7 man, fully loaded, drogued", 0.995, 3.46, 2.34, 0.023, -1.86, 1.32, -0.005, -0.95, 0.88],
  ["PERSON-POWERED-VESSEL-1", "Sea Kayak with person on aft deck", 1.16, 11.12, 4.12, 0.41, 0.0, 4.39, -0.41, 0.0, 4.39],
  ["PERSON-POWERED-VESSEL-2", "Surf board with person", 1.93, 0.0, 8.3, 0.51, 0.0, 6.7, -0.51, 0.0, 6.7],
  ["PERSON-POWERED-VESSEL-3", "Windsurfer with mast and sail in water", 2.25, 5.03, 2.5, 0.69, -1.3, 2.96, -0.69, 1.3, 2.96],
  ["SKIFF-1", "Skiff - modified-v, cathedral-hull, runabout outboard powerboat", 3.15, 0.0, 2.2, 1.29, 0.0, 2.2, -1.29, 0.0, 2.2],
  ["SKIFF-2", "Skiff, V-hull", 2.87, 3.98, 3.33, 0.32, -2.93, 2.53, -0.62, 1.03, 3.05],
  ["SKIFF-3", "Skiffs, swamped and capsized", 1.65, 0.0, 3.1, 0.39, 0.0, 2.9, -0.39, 0.0, 2.9],
  ["SKIFF-4", "Skiff - v-hull bow to stern (aluminum, Norway)", 2.52, 13.37, 3.87, 1.07, -3.58, 5.82, -1.07, 3.58, 5.82],
  ["SPORT-BOAT", "Sport boat, no canvas (*1), modified V-hull", 6.54, 0.0, 3.0, 2.19, 0.0, 2.8, -2.19, 0.0, 2.8],
  ["SPORT-FISHER", "Sport fisher, center console (*2), open cockpit", 5.55, 0.0, 3.3, 2.27, 0.0, 3.0, -2.27, 0.0, 3.0],
  ["FISHING-VESSEL-1", "Fishing vessel, general (mean values)", 2.47, 0.0, 12.0, 2.76, 0.0, 9.4, -2.76, 0.0, 9.4],
  ["FISHING-VESSEL-2", "Fishing vessel, Hawaiian Sampan (*3)", 2.67, 0.0, 8.3, 2.98, 0.0, 6.7, -2.98, 0.0, 6.7],
  ["FISHING-VESSEL-3", ">Fishing vessel, Japanese side-stern trawler", 2.8, 0.0, 8.3, 3.13, 0.0, 6.7, -3.13, 0.0, 6.7],
  ["FISHING-VESSEL-4", ">Fishing vessel, Japanese Longliner (*3)", 2.47, 0.0, 8.3, 2.76, 0.0, 6.7, -2.76, 0.0, 6.7],
  ["FISHING-VESSEL-5", ">Fishing vessel, Korean fishing vessel (*4)", 1.8, 0.0, 3.79, 2.01, 0.0, 3.3, -2.01, 0.0, 3.3],
  ["FISHING-VESSEL-6", ">Fishing vessel, Gill-netter with rear reel (*3)", 3.72, -0.87, 3.33, 1.41, 2.0, 3.36, -1.41, -2.0, 3.36],
  ["COASTAL-FREIGHTER", "Coastal freighter. (*5)", 1.87, 0.0, 8.3, 2.09, 0.0, 6.7, -2.09, 0.0, 6.7],
  ["SAILBOAT-1", "Sailboat Mono-hull (Average)", 4.5, 0.0, 19.4, 4.95, 0.0, 18.42, -2.82, 0.0, 24.95],
  ["SAILBOAT-2", ">Sailboat Mono-hull (Dismasted, Average)", 3.94, 0.0, 19.62, 3.98, 0.0, 12.6788, -0.79, 0.0, 2.13],
  ["SAILBOAT-3", ">>Sailboat Mono-hull (Dismasted - rudder amidships)", 6.27, 0.0, 9.22, 4.01, 0.0, 12.34, -4.01, 0.0, 12.34],
  ["SAILBOAT-4", ">>Sailboat Mono-hull (Dismasted - rudder missing)", 2.42, 0.0, 1.29, 0.79, 0.0, 2.17, -0.79, 0.0, 2.13],
  ["SAILBOAT-5", ">Sailboat Mono-hull (Bare-masted,  Average)", 5.23, 0.0, 18.52, 5.89, 0.0, 18.87, -6.09, 0.0, 18.58],
  ["SAILBOAT-6", ">>Sailboat Mono-hull (Bare-masted, rudder amidships)", 6.66, 0.0, 16.56, 7.36, 0.0, 15.15, -7.53, 0.0, 16.69],
  ["SAILBOAT-6b", ">>Sailboat Mono-hull (Bare-masted, rudder hove-to)", 2.69, 0.0, 10.48, 2.81, 0.0, 11.14, -4.01, 0.0, 13.6608],
  ["SAILBOAT-7", "Sailboat Mono-hull, fin keel, shallow draft (was SAILBOAT-2)", 2.67, 0.0, 8.3, 2.98, 0.0, 6.7, -2.98, 0.0, 6.7],
  ["SAILBOAT-8", "Sunfish sailing dingy  -  Bare-masted, rudder missing", 1.79, 3.09, 4.04, 0.1, 3.53, 4.05, -0.1, -3.53, 4.05],
  ["FV-DEBRIS", "Fishing vessel debris", 1.97, 0.0, 8.3, 0.36, 0.0, 6.7, -0.36, 0.0, 6.7],
  ["SLDMB", "Self-locating datum marker buoy - no windage", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
  ["SEPIRB", "Navy Submarine EPIRB (SEPIRB)", 0.4, -1.8, 6.0, 0.0, 6.1, 4.6, 0.0, -4.6, 4.6],
  ["BAIT-BOX-1", "Bait/wharf box, holds a cubic metre of ice, mean values (*6)", 0.72, 15.18, 5.59, 1.86, -5.26, 4.2, -1.86, 5.26, 4.2],
  ["BAIT-BOX-2", "Bait/wharf box, holds a cubic metre of ice, lightly loaded", 2.53, 9.01, 3.05, 1.09, -2.76, 4.14, -1.09, 2.76, 4.14],
  ["BAIT-BOX-3", ">Bait/wharf box, holds a cubic metre of ice, full loaded", 1.15, 7.94, 3.17, 1.48, -0.32, 2.99, -1.48, 0.32, 2.99],
  ["OIL-DRUM", "55-gallon (220 l) Oil Drum", 0.75, 2.66, 2.83, 0.48, 2.88, 3.92, -0.45, -1.46, 4.59],
  ["CONTAINER-1", "Scaled down (1:3) 40-ft Container (70% submerged)", 1.78, 1.44, 2.99, 0.27, -2.44, 2.31, -0.27, 2.44, 2.31],
  ["CONTAINER-2", "20-ft Container (80% submerged)", 1.25, 3.96, 2.81, 0.19, 1.14, 4.36, -0.19, -1.14, 4.36],
  ["MINE", "WWII L-MK2 mine", 1.07, 4.47, 6.55, 0.41, 1.15, 4.13, -0.41, -1.15, 4.13],
  ["REFUGEE-RAFT-1", "Immigration vessel, Cuban refugee-raft, no sail (*7)", 1.56, 8.3, 1.53, 0.078, 2.7, 1.52, -0.078, -2.7, 1.52],
  ["REFUGEE-RAFT-2", "Immigration vessel, Cuban refugee-raft, with sail (*7)", 6.43, -3.47, 3.63, 2.22, 0.0, 7.12, -2.22, 0.0, 7.12],
  ["SEWAGE", "Sewage floatables, tampon applicator", 1.79, 0.0, 3.1, 0.16, 0.0, 2.9, -0.16, 0.0, 2.9],
  ["MED-WASTE-1", "Medical waste (mean values)", 2.75, 0.0, 12.0, 0.5, 0.0, 9.4, -0.5, 0.0, 9.4],
  ["MED-WASTE-2", ">Medical waste, vials", 3.64, 0.0, 12.0, 0.67, 0.0, 9.4, -0.67, 0.0, 9.4],
  ["MED-WASTE-3", ">>Medical waste, vials, large", 4.34, 0.0, 3.1, 0.74, 0.0, 2.9, -0.74, 0.0, 2.9],
  ["MED-WASTE-4", ">>Medical waste, vials, small", 2.95, 0.0, 5.4, 0.54, 0.0, 4.5, -0.54, 0.0, 4.5],
  ["MED-WASTE-5", ">Medical waste, syringes", 1.79, 0.0, 12.0, 0.16, 0.0, 9.4, -0.16, 0.0, 9.4],
  ["MED-WASTE-6", ">>Medical waste, syringes, large", 1.79, 0.0, 3.1, 0.16, 0.0, 2.9, -0.16, 0.0, 2.9],
  ["MED-WASTE-7", ">>Medical waste, syringes, small", 1.79, 0.0, 2.4, 0.16, 0.0, 2.3, -0.16, 0.0, 2.3],
];

export const LEEWAY_CATEGORIES: readonly LeewayCategory[] = ROWS.map(
  ([key, description, dwSlopePct, dwOffsetCmps, dwStdCmps, cwrSlopePct, cwrOffsetCmps, cwrStdCmps, cwlSlopePct, cwlOffsetCmps, cwlStdCmps], i) => ({
    id: i + 1,
    key,
    description,
    dwSlopePct,
    dwOffsetCmps,
    dwStdCmps,
    cwrSlopePct,
    cwrOffsetCmps,
    cwrStdCmps,
    cwlSlopePct,
    cwlOffsetCmps,
    cwlStdCmps,
  }),
);

const BY_KEY = new Map(LEEWAY_CATEGORIES.map((c) => [c.key.toUpperCase(), c]));

/** A category by id (1..85) or OBJKEY (case-insensitive); undefined when there is none. */
export function findCategory(idOrKey: number | string): LeewayCategory | undefined {
  if (typeof idOrKey === 'number') {
    return Number.isInteger(idOrKey) ? LEEWAY_CATEGORIES[idOrKey - 1] : undefined;
  }
  const trimmed = idOrKey.trim();
  if (/^\d+$/.test(trimmed)) return findCategory(Number(trimmed));
  return BY_KEY.get(trimmed.toUpperCase());
}

/** Keys that look like `input`, for "did you mean" hints in error messages. */
export function suggestCategories(input: string, max = 5): string[] {
  const needle = input.trim().toUpperCase();
  const prefix = needle.split('-')[0] ?? needle;
  return LEEWAY_CATEGORIES.filter((c) => c.key.includes(prefix) || c.description.toUpperCase().includes(needle))
    .slice(0, max)
    .map((c) => c.key);
}
