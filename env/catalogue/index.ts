/**
 * The object catalogue: every household class the built-in world knows, looked up by
 * class name, by room and by host furniture. Built once at module load.
 */
import { CHARACTER_CLASS, DOOR_CLASS, FURNITURE_CLASSES, ROOM_CLASSES } from './furniture.ts';
import { HOUSE_OBJECTS } from './house-objects.ts';
import { KITCHEN_OBJECTS } from './kitchen-objects.ts';
import type { CatalogueClass, RoomName } from './types.ts';

export { ROOM_NAMES, type CatalogueClass, type ClassKind, type Placement, type RoomName } from './types.ts';

export const CATALOGUE: readonly CatalogueClass[] = [
  ...ROOM_CLASSES, DOOR_CLASS, CHARACTER_CLASS, ...FURNITURE_CLASSES, ...KITCHEN_OBJECTS, ...HOUSE_OBJECTS,
];

const byName = new Map<string, CatalogueClass>();
for (const c of CATALOGUE) {
  if (byName.has(c.className)) throw new Error(`catalogue: duplicate class ${c.className}`);
  byName.set(c.className, c);
}

export function catalogueClass(className: string): CatalogueClass | undefined {
  return byName.get(className);
}

/** Furniture usually found in a room, in catalogue order. */
export function furnitureOf(room: RoomName): CatalogueClass[] {
  return FURNITURE_CLASSES.filter((c) => c.rooms.includes(room));
}

/** Objects usually found in a room, in catalogue order. */
export function objectsOf(room: RoomName): CatalogueClass[] {
  return CATALOGUE.filter((c) => c.kind === 'object' && c.rooms.includes(room));
}

/** Human-readable name: `kitchen_counter` → `kitchen counter`, `food_apple` → `apple`. */
export function displayName(className: string): string {
  const base = className.startsWith('food_') ? className.slice(5) : className.startsWith('clothes_') ? className.slice(8) : className;
  return base.replace(/_/g, ' ').replace(/^coffe maker$/, 'coffee maker').replace(/^tv$/, 'TV');
}
