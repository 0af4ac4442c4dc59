/**
 * What a room of each kind usually holds: furniture that is always there, furniture that
 * may be there (with a probability), appliances and fixtures that stand on a given piece
 * of furniture, and how many loose small objects to scatter.
 */
import type { RoomName } from './types.ts';

export interface FurnitureSlot {
  className: string;
  /** Probability that the room has it (1 = always). */
  p: number;
  /** How many (e.g. four chairs around a dining table). */
  count?: number;
  /** Stands in the middle of the room rather than against a wall. */
  central?: boolean;
}

export interface FixtureSlot {
  className: string;
  /** The furniture it stands on; skipped when the room has none. */
  on: string;
  p: number;
}

export interface RoomRecipe {
  furniture: FurnitureSlot[];
  fixtures: FixtureSlot[];
  /** Range of loose small objects [min, max]. */
  objects: [number, number];
}

const everywhere: FurnitureSlot[] = [{ className: 'light', p: 1 }, { className: 'window', p: 0.7 }];

export const ROOM_RECIPES: Record<RoomName, RoomRecipe> = {
  kitchen: {
    furniture: [
      { className: 'fridge', p: 1 }, { className: 'stove', p: 1 }, { className: 'sink', p: 1 },
      { className: 'kitchen_counter', p: 1, count: 2 }, { className: 'kitchen_cabinet', p: 1 },
      { className: 'oven', p: 0.5 }, { className: 'dishwasher', p: 0.6 }, { className: 'freezer', p: 0.25 },
      { className: 'cupboard', p: 0.5 }, { className: 'garbage_can', p: 0.6 }, { className: 'washing_machine', p: 0.15 },
      { className: 'kitchen_table', p: 0.5, central: true }, { className: 'chair', p: 0.5, count: 2 },
      ...everywhere,
    ],
    fixtures: [
      { className: 'microwave', on: 'kitchen_counter', p: 0.85 }, { className: 'faucet', on: 'sink', p: 1 },
      { className: 'toaster', on: 'kitchen_counter', p: 0.5 }, { className: 'coffe_maker', on: 'kitchen_counter', p: 0.6 },
    ],
    objects: [9, 15],
  },
  living_room: {
    furniture: [
      { className: 'sofa', p: 1 }, { className: 'coffee_table', p: 1, central: true }, { className: 'tvstand', p: 1 },
      { className: 'love_seat', p: 0.35 }, { className: 'armchair', p: 0.4 }, { className: 'bookshelf', p: 0.7 },
      { className: 'cabinet', p: 0.5 }, { className: 'floor_lamp', p: 0.5 },
      { className: 'instrument_piano', p: 0.2 }, { className: 'piano_bench', p: 0.2 },
      ...everywhere,
    ],
    fixtures: [{ className: 'tv', on: 'tvstand', p: 1 }],
    objects: [6, 11],
  },
  bedroom: {
    furniture: [
      { className: 'bed', p: 1, central: true }, { className: 'nightstand', p: 1 }, { className: 'dresser', p: 1 },
      { className: 'closet', p: 1 }, { className: 'desk', p: 0.3 }, { className: 'chair', p: 0.3 },
      { className: 'shoe_rack', p: 0.4 }, { className: 'ironing_board', p: 0.2 }, { className: 'armchair', p: 0.25 },
      { className: 'bookshelf', p: 0.3 }, { className: 'basket_for_clothes', p: 0.4 }, { className: 'floor_lamp', p: 0.3 },
      { className: 'tvstand', p: 0.2 },
      ...everywhere,
    ],
    fixtures: [{ className: 'lamp', on: 'nightstand', p: 0.7 }, { className: 'tv', on: 'tvstand', p: 1 }],
    objects: [6, 11],
  },
  bathroom: {
    furniture: [
      { className: 'toilet', p: 1 }, { className: 'sink', p: 1 }, { className: 'bathroom_counter', p: 1 },
      { className: 'bathroom_cabinet', p: 1 }, { className: 'bathtub', p: 0.6 }, { className: 'shower', p: 0.6 },
      { className: 'towel_rack', p: 0.8 }, { className: 'washing_machine', p: 0.45 },
      { className: 'basket_for_clothes', p: 0.3 }, { className: 'garbage_can', p: 0.4 },
      ...everywhere,
    ],
    fixtures: [{ className: 'faucet', on: 'sink', p: 1 }],
    objects: [5, 9],
  },
  home_office: {
    furniture: [
      { className: 'desk', p: 1 }, { className: 'chair', p: 1 }, { className: 'bookshelf', p: 1 },
      { className: 'filing_cabinet', p: 0.6 }, { className: 'sofa', p: 0.25 }, { className: 'cabinet', p: 0.4 },
      { className: 'floor_lamp', p: 0.5 }, { className: 'garbage_can', p: 0.4 },
      ...everywhere,
    ],
    fixtures: [
      { className: 'computer', on: 'desk', p: 1 }, { className: 'lamp', on: 'desk', p: 0.5 },
      { className: 'printer', on: 'desk', p: 0.4 },
    ],
    objects: [6, 11],
  },
  dining_room: {
    furniture: [
      { className: 'table', p: 1, central: true }, { className: 'chair', p: 1, count: 4 },
      { className: 'cupboard', p: 0.6 }, { className: 'cabinet', p: 0.5 }, { className: 'bench', p: 0.3 },
      { className: 'wine_rack', p: 0.3 },
      ...everywhere,
    ],
    fixtures: [],
    objects: [5, 9],
  },
};
