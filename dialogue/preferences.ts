/**
 * The catalogue of household preferences a simulated user may hold, as typed records (not
 * prose): each one compiles to an exact check over the simulator (a placement over the final
 * state of a round, a forbidden action over the round's executed script lines, or a state a
 * round must leave behind), so the user's judgements and the violation metrics come from one
 * source of truth. The scene is the demo house (env/scenes/demo-house.ts).
 *
 * Slots: a user has at most one preference per slot (where cups go, whether to close what is
 * opened, ...). Placement slots always have a value (a tidy person has a place for things);
 * behaviour slots may be empty (the user does not care).
 */

/** Where a thing is put: ON a surface or INSIDE a container, named by class. */
export interface Placement {
  relation: 'ON' | 'INSIDE';
  target: string;
}

export type Preference =
  | { id: string; slot: string; kind: 'placement'; object: string; place: Placement }
  | { id: string; slot: string; kind: 'forbid'; verb: string; object: string }
  | { id: string; slot: string; kind: 'close_opened' };

/** Things the user asks to put away, with the places each can go (the first is no default). */
export const PLACEMENT_OPTIONS: Readonly<Record<string, readonly Placement[]>> = {
  cup: [{ relation: 'ON', target: 'kitchen_counter' }, { relation: 'ON', target: 'kitchen_table' }, { relation: 'ON', target: 'coffee_table' }],
  plate: [{ relation: 'ON', target: 'kitchen_counter' }, { relation: 'ON', target: 'kitchen_table' }, { relation: 'INSIDE', target: 'microwave' }],
  book: [{ relation: 'INSIDE', target: 'nightstand' }, { relation: 'ON', target: 'bed' }, { relation: 'ON', target: 'coffee_table' }],
  remote_control: [{ relation: 'ON', target: 'coffee_table' }, { relation: 'ON', target: 'tv_stand' }, { relation: 'ON', target: 'sofa' }],
  milk: [{ relation: 'INSIDE', target: 'fridge' }, { relation: 'ON', target: 'kitchen_table' }, { relation: 'ON', target: 'kitchen_counter' }],
};

export const PLACEMENT_OBJECTS = Object.keys(PLACEMENT_OPTIONS);

export const placementId = (object: string, p: Placement): string => `place.${object}.${p.relation === 'ON' ? 'on' : 'in'}.${p.target}`;

/** Every preference in the catalogue, by id. */
export const CATALOGUE: ReadonlyMap<string, Preference> = (() => {
  const m = new Map<string, Preference>();
  for (const [object, places] of Object.entries(PLACEMENT_OPTIONS)) {
    for (const place of places) {
      const id = placementId(object, place);
      m.set(id, { id, slot: `place.${object}`, kind: 'placement', object, place });
    }
  }
  m.set('forbid.switchon.tv', { id: 'forbid.switchon.tv', slot: 'tv', kind: 'forbid', verb: 'SWITCHON', object: 'tv' });
  m.set('forbid.switchon.microwave', { id: 'forbid.switchon.microwave', slot: 'microwave', kind: 'forbid', verb: 'SWITCHON', object: 'microwave' });
  m.set('close_opened', { id: 'close_opened', slot: 'close', kind: 'close_opened' });
  return m;
})();

/** Behaviour slots (may be empty in a profile) and the preference each one holds when set. */
export const BEHAVIOUR_SLOTS: Readonly<Record<string, string>> = { tv: 'forbid.switchon.tv', microwave: 'forbid.switchon.microwave', close: 'close_opened' };

export function preference(id: string): Preference {
  const p = CATALOGUE.get(id);
  if (!p) throw new Error(`no preference "${id}" in the catalogue`);
  return p;
}

const words = (cls: string): string => cls.replace(/_/g, ' ');
const plural = (cls: string): string => (cls === 'milk' ? 'milk' : `${words(cls)}s`);
const verbWord: Record<string, string> = { SWITCHON: 'switch on' };

/** How the user states a preference (one sentence). */
export function statement(p: Preference): string {
  switch (p.kind) {
    case 'placement': {
      const be = p.object === 'milk' ? 'goes' : 'go';
      return `${plural(p.object)} ${be} ${p.place.relation === 'ON' ? 'on' : 'in'} the ${words(p.place.target)}`;
    }
    case 'forbid': return `never ${verbWord[p.verb] ?? p.verb.toLowerCase()} the ${words(p.object)}`;
    case 'close_opened': return 'close anything you open';
  }
}
