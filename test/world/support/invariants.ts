/**
 * What every generated scene must satisfy, as a list of violations (empty = fine): the
 * simulator's invariants (spec/virtualhome-semantics.md §2, §5) and the generator's own
 * promises (doors, rooms, states, geometry, seats with room left).
 */
import type { GraphJSON } from '../../../env/graph.ts';

export function sceneViolations(g: GraphJSON): string[] {
  const v: string[] = [];
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const isRoom = (id: number) => byId.get(id)?.category === 'Rooms';
  const outIndex = new Map<string, number[]>();
  const onCount = new Map<number, number>();
  for (const e of g.edges) {
    const k = `${e.from_id} ${e.relation_type}`;
    let l = outIndex.get(k);
    if (!l) outIndex.set(k, (l = []));
    l.push(e.to_id);
    if (e.relation_type === 'ON') onCount.set(e.to_id, (onCount.get(e.to_id) ?? 0) + 1);
  }
  const out = (id: number, rel: string) => outIndex.get(`${id} ${rel}`) ?? [];
  const key = (f: number, r: string, t: number) => `${f} ${r} ${t}`;
  const edgeSet = new Set(g.edges.map((e) => key(e.from_id, e.relation_type, e.to_id)));

  if (byId.size !== g.nodes.length) v.push('duplicate node ids');
  if (edgeSet.size !== g.edges.length) v.push('duplicate edges');
  for (const e of g.edges) {
    if (!byId.has(e.from_id) || !byId.has(e.to_id)) v.push(`dangling edge ${key(e.from_id, e.relation_type, e.to_id)}`);
    if (e.relation_type === 'CLOSE' && !edgeSet.has(key(e.to_id, 'CLOSE', e.from_id))) v.push(`CLOSE ${e.from_id}→${e.to_id} not symmetric`);
    if (e.from_id === e.to_id) v.push(`self edge ${key(e.from_id, e.relation_type, e.to_id)}`);
  }
  const rooms = g.nodes.filter((n) => n.category === 'Rooms');
  if (rooms.length < 3 || rooms.length > 8) v.push(`${rooms.length} rooms (want 3–8)`);
  const chars = g.nodes.filter((n) => n.class_name === 'character');
  if (chars.length !== 1) v.push(`${chars.length} characters`);

  for (const n of g.nodes) {
    if (!n.bounding_box) v.push(`node ${n.id} has no bounding_box`);
    if (n.category === 'Rooms') continue;
    const inside = out(n.id, 'INSIDE');
    const roomTargets = inside.filter(isRoom);
    // v1's room lookup takes the first INSIDE edge that points at a room: there must be exactly one.
    if (roomTargets.length !== 1) v.push(`node ${n.id} <${n.class_name}> is INSIDE ${roomTargets.length} rooms`);
    const hosts = [...out(n.id, 'ON'), ...inside.filter((x) => !isRoom(x))];
    if (hosts.length > 1) v.push(`node ${n.id} <${n.class_name}> has ${hosts.length} hosts`);
    for (const h of hosts) {
      const hr = out(h, 'INSIDE').filter(isRoom)[0];
      if (hr !== roomTargets[0]) v.push(`node ${n.id} is in room ${roomTargets[0]} but its host ${h} is in ${hr}`);
      if (!edgeSet.has(key(n.id, 'CLOSE', h))) v.push(`node ${n.id} is not CLOSE to its host ${h}`);
    }
    const s = new Set(n.states);
    const p = new Set(n.properties);
    if (p.has('CAN_OPEN') && s.has('OPEN') === s.has('CLOSED')) v.push(`node ${n.id} <${n.class_name}> CAN_OPEN without exactly one of OPEN/CLOSED`);
    if (p.has('HAS_SWITCH') && s.has('ON') === s.has('OFF')) v.push(`node ${n.id} <${n.class_name}> HAS_SWITCH without exactly one of ON/OFF`);
    if (p.has('HAS_PLUG') && s.has('PLUGGED_IN') === s.has('PLUGGED_OUT')) v.push(`node ${n.id} HAS_PLUG without exactly one plug state`);
    if (s.has('CLEAN') && s.has('DIRTY')) v.push(`node ${n.id} is CLEAN and DIRTY`);
    if (p.has('CAN_OPEN') && s.has('ON') && s.has('CLOSED')) v.push(`node ${n.id} is ON and CLOSED (v1 could never open it)`);
    if (p.has('SITTABLE') || p.has('LIEABLE')) {
      const onIt = onCount.get(n.id) ?? 0;
      const allowance = n.class_name === 'sofa' || n.class_name === 'bed' ? 1 : 0;
      if (onIt > allowance) v.push(`seat ${n.id} <${n.class_name}> holds ${onIt} objects`);
    }
  }

  // Doors: BETWEEN exactly two rooms, INSIDE one of them; rooms connected through doors.
  const adj = new Map<number, number[]>(rooms.map((r) => [r.id, []]));
  for (const d of g.nodes.filter((n) => n.class_name === 'door')) {
    const between = out(d.id, 'BETWEEN');
    if (between.length !== 2 || !between.every(isRoom)) { v.push(`door ${d.id} is BETWEEN ${between.length} rooms`); continue; }
    if (!between.includes(out(d.id, 'INSIDE').filter(isRoom)[0])) v.push(`door ${d.id} is not inside one of its rooms`);
    if (!d.properties.includes('CAN_OPEN')) v.push(`door ${d.id} cannot be opened`);
    adj.get(between[0])!.push(between[1]);
    adj.get(between[1])!.push(between[0]);
  }
  if (rooms.length > 0) {
    const seen = new Set([rooms[0].id]);
    const queue = [rooms[0].id];
    while (queue.length > 0) for (const r of adj.get(queue.shift()!) ?? []) if (!seen.has(r)) { seen.add(r); queue.push(r); }
    if (seen.size !== rooms.length) v.push(`only ${seen.size} of ${rooms.length} rooms are connected by doors`);
  }
  // The character starts close to nothing (the loose close rule would otherwise reach a lot).
  for (const c of chars) if (g.edges.some((e) => e.relation_type === 'CLOSE' && (e.from_id === c.id || e.to_id === c.id))) v.push('the character starts with CLOSE edges');
  return v;
}
