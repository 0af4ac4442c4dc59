/**
 * Things found in the kitchen and the dining room: appliances that stand on counters,
 * dishes, cutlery, cookware, drinks and food. `places` lists the usual furniture, most
 * usual first.
 */
import { object, type CatalogueClass } from './types.ts';

const K = 'kitchen';
const KD = 'kitchen dining_room';
const DISHES = 'on:kitchen_counter in:kitchen_cabinet in:cupboard in:dishwasher on:kitchen_table on:table';
const CUTLERY = 'on:kitchen_counter in:kitchen_cabinet in:dishwasher on:kitchen_table on:table';
const COOKWARE = 'on:stove on:kitchen_counter in:kitchen_cabinet in:cupboard';
const COLD_FOOD = 'in:fridge on:kitchen_counter';
const FRUIT = 'on:kitchen_counter in:fridge on:kitchen_table on:table';
const DRY_FOOD = 'in:kitchen_cabinet in:cupboard on:kitchen_counter';
const WASH = { washable: true };

export const KITCHEN_OBJECTS: readonly CatalogueClass[] = [
  // appliances that stand on counters
  object('microwave', 'Appliances', 'CAN_OPEN HAS_SWITCH CONTAINERS HAS_PLUG', [0.5, 0.3, 0.4], K, 'on:kitchen_counter'),
  object('toaster', 'Appliances', 'HAS_SWITCH CONTAINERS HAS_PLUG MOVABLE', [0.3, 0.2, 0.2], K, 'on:kitchen_counter'),
  object('coffe_maker', 'Appliances', 'RECIPIENT CAN_OPEN HAS_SWITCH CONTAINERS HAS_PLUG MOVABLE', [0.25, 0.35, 0.25], K, 'on:kitchen_counter'),
  object('kettle', 'Appliances', 'GRABBABLE RECIPIENT HAS_SWITCH HAS_PLUG MOVABLE', [0.2, 0.25, 0.2], K, 'on:kitchen_counter on:stove', WASH),
  object('blender', 'Appliances', 'GRABBABLE RECIPIENT POURABLE CAN_OPEN HAS_SWITCH HAS_PLUG MOVABLE', [0.2, 0.4, 0.2], K, 'on:kitchen_counter', WASH),
  object('faucet', 'Furniture', 'HAS_SWITCH', [0.1, 0.3, 0.2], 'kitchen bathroom', 'on:sink'),
  object('dishrack', 'Props', 'SURFACES GRABBABLE MOVABLE', [0.45, 0.15, 0.35], K, 'on:kitchen_counter', WASH),
  // dishes and glasses
  object('cup', 'Props', 'GRABBABLE RECIPIENT POURABLE MOVABLE', [0.09, 0.11, 0.09], KD, DISHES, WASH),
  object('mug', 'Props', 'GRABBABLE RECIPIENT POURABLE MOVABLE', [0.1, 0.11, 0.09], KD, DISHES, WASH),
  object('coffee_cup', 'Props', 'GRABBABLE RECIPIENT POURABLE MOVABLE', [0.09, 0.09, 0.09], KD, DISHES, WASH),
  object('plate', 'Props', 'SURFACES GRABBABLE RECIPIENT MOVABLE', [0.26, 0.03, 0.26], KD, DISHES, WASH),
  object('dish_bowl', 'Props', 'GRABBABLE RECIPIENT MOVABLE', [0.18, 0.08, 0.18], KD, DISHES, WASH),
  object('bowl', 'Props', 'GRABBABLE RECIPIENT MOVABLE', [0.16, 0.07, 0.16], KD, DISHES, WASH),
  object('water_glass', 'Props', 'GRABBABLE RECIPIENT POURABLE MOVABLE', [0.08, 0.13, 0.08], KD, DISHES, WASH),
  object('drinking_glass', 'Props', 'GRABBABLE RECIPIENT POURABLE MOVABLE', [0.08, 0.13, 0.08], KD, DISHES, WASH),
  object('wine_glass', 'Props', 'GRABBABLE RECIPIENT POURABLE MOVABLE', [0.08, 0.2, 0.08], KD, `${DISHES} in:wine_rack`, WASH),
  object('measuring_cup', 'Props', 'GRABBABLE RECIPIENT POURABLE MOVABLE', [0.1, 0.1, 0.1], K, DISHES, WASH),
  object('tray', 'Props', 'SURFACES GRABBABLE MOVABLE', [0.45, 0.03, 0.32], KD, 'on:kitchen_counter on:table in:cupboard', WASH),
  // cutlery and tools
  object('fork', 'Props', 'GRABBABLE MOVABLE', [0.02, 0.01, 0.19], KD, CUTLERY, WASH),
  object('knife', 'Props', 'GRABBABLE MOVABLE', [0.02, 0.01, 0.22], KD, CUTLERY, WASH),
  object('spoon', 'Props', 'GRABBABLE MOVABLE', [0.03, 0.01, 0.17], KD, CUTLERY, WASH),
  object('wooden_spoon', 'Props', 'GRABBABLE MOVABLE', [0.05, 0.02, 0.3], K, CUTLERY, WASH),
  object('chef_knife', 'Props', 'GRABBABLE MOVABLE', [0.04, 0.02, 0.33], K, 'on:kitchen_counter in:kitchen_cabinet', WASH),
  object('cutting_board', 'Props', 'SURFACES GRABBABLE MOVABLE', [0.4, 0.02, 0.28], K, 'on:kitchen_counter in:kitchen_cabinet', WASH),
  object('colander', 'Props', 'GRABBABLE RECIPIENT MOVABLE', [0.25, 0.12, 0.25], K, 'in:kitchen_cabinet on:kitchen_counter', WASH),
  object('oven_mitts', 'Props', 'GRABBABLE HANGABLE CLOTHES MOVABLE', [0.15, 0.03, 0.3], K, 'on:kitchen_counter in:kitchen_cabinet', WASH),
  // cookware
  object('fryingpan', 'Props', 'GRABBABLE RECIPIENT MOVABLE', [0.3, 0.06, 0.5], K, COOKWARE, WASH),
  object('cookingpot', 'Props', 'GRABBABLE RECIPIENT CAN_OPEN MOVABLE', [0.28, 0.2, 0.28], K, COOKWARE, WASH),
  object('sauce_pan', 'Props', 'SURFACES GRABBABLE RECIPIENT CONTAINERS MOVABLE', [0.2, 0.1, 0.4], K, COOKWARE, WASH),
  object('pot', 'Props', 'GRABBABLE RECIPIENT CAN_OPEN MOVABLE', [0.25, 0.18, 0.25], K, COOKWARE, WASH),
  // cleaning
  object('dish_soap', 'Props', 'GRABBABLE POURABLE MOVABLE CREAM', [0.07, 0.2, 0.05], K, 'on:kitchen_counter in:kitchen_cabinet on:sink'),
  object('sponge', 'Props', 'GRABBABLE MOVABLE', [0.1, 0.04, 0.07], K, 'on:kitchen_counter on:sink', WASH),
  object('rag', 'Props', 'GRABBABLE RECIPIENT COVER_OBJECT MOVABLE', [0.3, 0.01, 0.3], 'kitchen bathroom', 'on:kitchen_counter in:kitchen_cabinet on:bathroom_counter', WASH),
  object('paper_towel', 'Props', 'GRABBABLE HANGABLE CUTTABLE COVER_OBJECT HAS_PAPER MOVABLE', [0.12, 0.26, 0.12], K, 'on:kitchen_counter'),
  // drinks
  object('juice', 'Food', 'GRABBABLE DRINKABLE POURABLE MOVABLE', [0.09, 0.25, 0.07], K, COLD_FOOD),
  object('milk', 'Food', 'GRABBABLE DRINKABLE POURABLE CAN_OPEN MOVABLE', [0.09, 0.25, 0.07], K, COLD_FOOD),
  object('wine', 'Food', 'GRABBABLE DRINKABLE POURABLE MOVABLE', [0.08, 0.3, 0.08], KD, 'in:wine_rack on:kitchen_counter in:cupboard in:fridge'),
  object('beer', 'Food', 'GRABBABLE DRINKABLE POURABLE CAN_OPEN MOVABLE', [0.07, 0.22, 0.07], K, COLD_FOOD),
  object('water', 'Food', 'GRABBABLE DRINKABLE POURABLE MOVABLE', [0.07, 0.25, 0.07], K, 'in:fridge on:kitchen_counter'),
  object('coffee', 'Food', 'GRABBABLE DRINKABLE POURABLE MOVABLE', [0.1, 0.15, 0.1], K, DRY_FOOD),
  object('tea', 'Food', 'GRABBABLE DRINKABLE POURABLE MOVABLE', [0.1, 0.12, 0.06], K, DRY_FOOD),
  object('ground_coffee', 'Food', 'GRABBABLE CAN_OPEN MOVABLE', [0.1, 0.15, 0.06], K, DRY_FOOD),
  object('coffee_filter', 'Props', 'GRABBABLE HAS_PAPER MOVABLE', [0.12, 0.05, 0.12], K, DRY_FOOD),
  // food
  object('food_apple', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.08, 0.08, 0.08], KD, FRUIT),
  object('food_banana', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.2, 0.05, 0.1], KD, FRUIT),
  object('food_orange', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.08, 0.08, 0.08], KD, FRUIT),
  object('food_lemon', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.07, 0.06, 0.06], K, FRUIT),
  object('food_kiwi', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.06, 0.05, 0.05], K, FRUIT),
  object('food_bread', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.3, 0.12, 0.12], KD, 'on:kitchen_counter in:kitchen_cabinet on:table'),
  object('food_butter', 'Food', 'GRABBABLE MOVABLE CREAM', [0.12, 0.05, 0.06], K, COLD_FOOD),
  object('food_cake', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.25, 0.12, 0.25], KD, 'in:fridge on:table on:kitchen_counter'),
  object('food_carrot', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.2, 0.03, 0.03], K, COLD_FOOD),
  object('food_cereal', 'Food', 'GRABBABLE EATABLE POURABLE CAN_OPEN MOVABLE', [0.2, 0.3, 0.07], K, DRY_FOOD),
  object('food_cheese', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE CREAM', [0.12, 0.06, 0.1], K, COLD_FOOD),
  object('food_chicken', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.25, 0.12, 0.2], K, 'in:fridge in:freezer'),
  object('food_egg', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.05, 0.06, 0.05], K, COLD_FOOD),
  object('food_fish', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.35, 0.06, 0.12], K, 'in:fridge in:freezer'),
  object('food_potato', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.1, 0.07, 0.07], K, DRY_FOOD),
  object('food_onion', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.08, 0.08, 0.08], K, DRY_FOOD),
  object('food_rice', 'Food', 'GRABBABLE EATABLE POURABLE MOVABLE', [0.15, 0.25, 0.08], K, DRY_FOOD),
  object('food_salt', 'Food', 'GRABBABLE EATABLE POURABLE MOVABLE', [0.05, 0.1, 0.05], KD, 'on:kitchen_counter in:kitchen_cabinet on:table'),
  object('food_sugar', 'Food', 'GRABBABLE EATABLE POURABLE MOVABLE', [0.1, 0.15, 0.1], K, DRY_FOOD),
  object('food_pizza', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.35, 0.03, 0.35], K, 'in:fridge in:freezer on:kitchen_counter'),
  object('food_donut', 'Food', 'GRABBABLE MOVABLE', [0.1, 0.04, 0.1], KD, 'on:kitchen_counter on:table'),
  object('food_jam', 'Food', 'GRABBABLE EATABLE CAN_OPEN MOVABLE CREAM', [0.07, 0.1, 0.07], K, COLD_FOOD),
  object('food_peanut_butter', 'Food', 'GRABBABLE EATABLE MOVABLE CREAM', [0.08, 0.12, 0.08], K, DRY_FOOD),
  object('food_steak', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.2, 0.03, 0.15], K, 'in:fridge in:freezer'),
  object('food_snack', 'Food', 'GRABBABLE EATABLE MOVABLE', [0.15, 0.2, 0.05], 'kitchen living_room', 'in:kitchen_cabinet on:coffee_table'),
  object('food_vegetable', 'Food', 'GRABBABLE EATABLE CUTTABLE MOVABLE', [0.12, 0.1, 0.1], K, COLD_FOOD),
  object('crackers', 'Food', 'GRABBABLE CAN_OPEN MOVABLE', [0.15, 0.2, 0.05], K, DRY_FOOD),
  object('food_ice_cream', 'Food', 'GRABBABLE MOVABLE CREAM', [0.12, 0.12, 0.12], K, 'in:freezer in:fridge'),
  // dining table things
  object('placemat', 'Props', 'SURFACES GRABBABLE COVER_OBJECT MOVABLE', [0.45, 0.01, 0.32], 'dining_room', 'on:table in:cupboard', WASH),
  object('napkin', 'Props', 'GRABBABLE COVER_OBJECT HAS_PAPER MOVABLE', [0.2, 0.01, 0.2], KD, 'on:table in:cupboard on:kitchen_counter'),
  object('cloth_napkin', 'Props', 'GRABBABLE CUTTABLE COVER_OBJECT HAS_PAPER MOVABLE', [0.3, 0.01, 0.3], 'dining_room', 'on:table in:cupboard in:cabinet', WASH),
  object('table_cloth', 'Props', 'SURFACES GRABBABLE COVER_OBJECT MOVABLE', [0.4, 0.05, 0.3], 'dining_room', 'in:cupboard in:cabinet', WASH),
  object('centerpiece', 'Decor', 'GRABBABLE LOOKABLE COVER_OBJECT MOVABLE', [0.35, 0.25, 0.35], 'dining_room living_room', 'on:table on:coffee_table', WASH),
  object('candle', 'Decor', 'GRABBABLE HAS_SWITCH MOVABLE', [0.07, 0.2, 0.07], 'dining_room living_room bedroom', 'on:table on:coffee_table on:nightstand on:cabinet'),
];
