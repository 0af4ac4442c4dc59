/**
 * Rooms, doors, the character and the furniture that stands on a room's floor. Properties
 * follow VirtualHome's v1 class table; states are the defaults of a fresh house (things that
 * open are closed, appliances off and plugged in).
 */
import { furniture, type CatalogueClass } from './types.ts';

const room = (className: string, size: [number, number, number]): CatalogueClass => ({
  className, category: 'Rooms', kind: 'room', properties: [], states: [], washable: false,
  rooms: [], places: [], size,
});

export const ROOM_CLASSES: readonly CatalogueClass[] = [
  room('kitchen', [5, 3, 4]),
  room('living_room', [6, 3, 5]),
  room('bedroom', [5, 3, 4]),
  room('bathroom', [3.5, 3, 3]),
  room('home_office', [4, 3, 4]),
  room('dining_room', [5, 3, 4]),
];

export const DOOR_CLASS: CatalogueClass = {
  className: 'door', category: 'Doors', kind: 'door', properties: ['CAN_OPEN'], states: ['OPEN'],
  washable: false, rooms: [], places: [], size: [1, 2.1, 0.1],
};

export const CHARACTER_CLASS: CatalogueClass = {
  className: 'character', category: 'Characters', kind: 'character', properties: [], states: [],
  washable: false, rooms: [], places: [], size: [0.5, 1.75, 0.3],
};

export const FURNITURE_CLASSES: readonly CatalogueClass[] = [
  // kitchen
  furniture('fridge', 'Appliances', 'CAN_OPEN HAS_SWITCH CONTAINERS HAS_PLUG', '', [0.8, 1.8, 0.7], 'kitchen'),
  furniture('freezer', 'Appliances', 'CAN_OPEN HAS_SWITCH CONTAINERS HAS_PLUG', '', [0.7, 1.6, 0.7], 'kitchen'),
  furniture('stove', 'Appliances', 'SURFACES CAN_OPEN HAS_SWITCH CONTAINERS', '', [0.8, 0.9, 0.65], 'kitchen'),
  furniture('oven', 'Appliances', 'CAN_OPEN HAS_SWITCH CONTAINERS HAS_PLUG', '', [0.7, 0.9, 0.65], 'kitchen'),
  furniture('dishwasher', 'Appliances', 'CAN_OPEN HAS_SWITCH CONTAINERS', '', [0.6, 0.85, 0.6], 'kitchen'),
  furniture('kitchen_counter', 'Furniture', 'SURFACES', '', [2.2, 0.9, 0.65], 'kitchen', true),
  furniture('kitchen_cabinet', 'Furniture', 'SURFACES CAN_OPEN CONTAINERS', '', [1.2, 0.8, 0.4], 'kitchen'),
  furniture('cupboard', 'Furniture', 'CAN_OPEN CONTAINERS', '', [1, 2, 0.5], 'kitchen dining_room'),
  furniture('sink', 'Furniture', 'RECIPIENT CONTAINERS', '', [0.8, 0.9, 0.6], 'kitchen bathroom', true),
  furniture('kitchen_table', 'Furniture', 'SURFACES MOVABLE', '', [1.4, 0.75, 0.9], 'kitchen', true),
  furniture('garbage_can', 'Furniture', 'CAN_OPEN CONTAINERS MOVABLE', '', [0.4, 0.7, 0.4], 'kitchen bathroom home_office'),
  // living room
  furniture('sofa', 'Furniture', 'SURFACES SITTABLE LIEABLE MOVABLE', '', [2.2, 0.85, 0.95], 'living_room home_office', true),
  furniture('love_seat', 'Furniture', 'SURFACES SITTABLE LIEABLE MOVABLE', '', [1.5, 0.85, 0.9], 'living_room'),
  furniture('coffee_table', 'Furniture', 'SURFACES MOVABLE', '', [1.2, 0.45, 0.6], 'living_room', true),
  furniture('tvstand', 'Furniture', 'SURFACES', '', [1.6, 0.5, 0.45], 'living_room bedroom'),
  furniture('bookshelf', 'Furniture', 'SURFACES CONTAINERS', '', [1, 1.9, 0.35], 'living_room home_office bedroom'),
  furniture('cabinet', 'Furniture', 'SURFACES CAN_OPEN CONTAINERS', '', [1, 1, 0.45], 'living_room dining_room home_office'),
  furniture('floor_lamp', 'Lamps', 'HAS_SWITCH MOVABLE', '', [0.4, 1.7, 0.4], 'living_room bedroom home_office'),
  furniture('instrument_piano', 'Furniture', 'SURFACES', '', [1.5, 1.2, 0.6], 'living_room'),
  furniture('piano_bench', 'Furniture', 'SURFACES SITTABLE MOVABLE', '', [0.9, 0.5, 0.4], 'living_room'),
  furniture('armchair', 'Furniture', 'SURFACES SITTABLE MOVABLE', '', [0.9, 0.9, 0.9], 'living_room bedroom'),
  // bedroom
  furniture('bed', 'Furniture', 'SURFACES SITTABLE LIEABLE', '', [1.6, 0.6, 2.1], 'bedroom'),
  furniture('nightstand', 'Furniture', 'SURFACES CAN_OPEN CONTAINERS', '', [0.5, 0.6, 0.45], 'bedroom'),
  furniture('dresser', 'Furniture', 'SURFACES CAN_OPEN CONTAINERS', '', [1.2, 1, 0.5], 'bedroom'),
  furniture('closet', 'Furniture', 'CAN_OPEN CONTAINERS', '', [1.5, 2.1, 0.6], 'bedroom'),
  furniture('shoe_rack', 'Furniture', 'SURFACES MOVABLE', '', [0.8, 0.5, 0.3], 'bedroom'),
  furniture('ironing_board', 'Furniture', 'SURFACES MOVABLE', '', [1.3, 0.9, 0.4], 'bedroom'),
  // bathroom
  furniture('toilet', 'Furniture', 'SITTABLE CAN_OPEN CONTAINERS', '', [0.4, 0.8, 0.7], 'bathroom', true),
  furniture('bathtub', 'Furniture', 'SITTABLE LIEABLE', '', [1.7, 0.6, 0.8], 'bathroom', true),
  furniture('shower', 'Furniture', '', '', [0.9, 2.1, 0.9], 'bathroom', true),
  furniture('bathroom_counter', 'Furniture', 'SURFACES', '', [1.4, 0.9, 0.55], 'bathroom', true),
  furniture('bathroom_cabinet', 'Furniture', 'SURFACES CAN_OPEN CONTAINERS', '', [0.7, 0.7, 0.2], 'bathroom'),
  furniture('towel_rack', 'Furniture', 'SURFACES', '', [0.7, 1, 0.2], 'bathroom'),
  furniture('washing_machine', 'Appliances', 'RECIPIENT CAN_OPEN HAS_SWITCH CONTAINERS HAS_PLUG', '', [0.6, 0.85, 0.6], 'bathroom kitchen'),
  furniture('basket_for_clothes', 'Furniture', 'CONTAINERS MOVABLE', '', [0.5, 0.6, 0.4], 'bathroom bedroom'),
  // home office
  furniture('desk', 'Furniture', 'SURFACES CAN_OPEN MOVABLE', '', [1.4, 0.75, 0.7], 'home_office bedroom', true),
  furniture('chair', 'Furniture', 'SURFACES SITTABLE MOVABLE', '', [0.5, 0.9, 0.5], 'home_office dining_room kitchen bedroom'),
  furniture('filing_cabinet', 'Furniture', 'SURFACES CAN_OPEN CONTAINERS', '', [0.5, 1.3, 0.6], 'home_office'),
  // dining room
  furniture('table', 'Furniture', 'SURFACES MOVABLE', '', [1.8, 0.75, 1], 'dining_room', true),
  furniture('bench', 'Furniture', 'SURFACES SITTABLE LIEABLE MOVABLE', '', [1.5, 0.45, 0.4], 'dining_room'),
  furniture('wine_rack', 'Furniture', 'SURFACES CONTAINERS', '', [0.8, 1.2, 0.35], 'dining_room'),
  // everywhere
  furniture('light', 'Lamps', 'HAS_SWITCH HAS_PLUG', '', [0.4, 0.2, 0.4], 'kitchen living_room bedroom bathroom home_office dining_room'),
  furniture('window', 'Windows', 'CAN_OPEN', '', [1.2, 1.3, 0.1], 'kitchen living_room bedroom bathroom home_office dining_room', true),
];
