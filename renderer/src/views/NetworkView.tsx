import cytoscape from 'cytoscape';
import { useEffect, useRef, useState } from 'react';

import type { NetworkView as Network } from '../../../main/api/contract';
import { useQuery } from '../api/hooks';
import { Waiting } from '../components/Alert';
import { showControls as shown } from '../../../main/visibleText';

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function weight(e: { messages: number; calls: number }): number {
  return e.messages + e.calls;
}

/** Draws the network with cytoscape: devices as squares, people as circles, edges as thick as their traffic. */
function Graph({ network, onSelect }: { network: Network; onSelect: (id: string | null) => void }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!container.current) return;
    const heaviest = Math.max(1, ...network.edges.map(weight));
    const busiest = Math.max(1, ...network.nodes.map(weight));
    const cy = cytoscape({
      container: container.current,
      elements: [
        ...network.nodes.map((n) => ({
          data: {
            id: n.id,
            label: shown(n.label),
            kind: n.kind,
            size: 24 + 40 * Math.sqrt(weight(n) / busiest),
          },
        })),
        ...network.edges.map((e, i) => ({
          data: {
            id: `e${i}`,
            source: e.source,
            target: e.target,
            width: 1 + 9 * Math.sqrt(weight(e) / heaviest),
            label: `${e.messages} msg${e.calls ? `, ${e.calls} calls` : ''}`,
          },
        })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            width: 'data(size)',
            height: 'data(size)',
            'background-color': '#2f6f9f',
            'font-size': 12,
            color: '#1b1b1b',
            'text-valign': 'bottom',
            'text-margin-y': 4,
            'text-wrap': 'ellipsis',
            'text-max-width': '160px',
          },
        },
        {
          selector: 'node[kind = "device"]',
          style: { shape: 'round-rectangle', 'background-color': '#8a4b08' },
        },
        { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#ffbf47' } },
        {
          selector: 'edge',
          style: {
            width: 'data(width)',
            'line-color': '#9aa5b1',
            'curve-style': 'bezier',
            label: 'data(label)',
            'font-size': 10,
            color: '#505a5f',
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.8,
          },
        },
      ],
      layout: {
        name: 'cose',
        animate: false,
        nodeRepulsion: () => 40000,
        idealEdgeLength: () => 120,
      },
      wheelSensitivity: 0.3,
    });
    cy.on('select', 'node', (e) => onSelect(e.target.id() as string));
    cy.on('unselect', 'node', () => onSelect(null));
    return () => cy.destroy();
  }, [network, onSelect]);

  return (
    <div
      ref={container}
      className="graph"
      role="img"
      aria-label="Network of who talks to whom; the table below lists the same links"
    />
  );
}

export function NetworkView({
  caseId,
  onMessagesOf,
}: {
  caseId: string;
  /** Opens the messages sent by one person (an identifier). */
  onMessagesOf: (identifier: string) => void;
}) {
  const network = useQuery('contacts:network', { caseId });
  const [selected, setSelected] = useState<string | null>(null);

  if (!network.data) {
    return <Waiting error={network.error} doing="Working out who talks to whom…" />;
  }
  const { nodes, edges } = network.data;
  if (edges.length === 0) return <p>No messages or calls yet: read an extraction first.</p>;
  const label = new Map(nodes.map((n) => [n.id, shown(n.label)]));
  const links = selected
    ? edges.filter((e) => e.source === selected || e.target === selected)
    : edges;

  return (
    <section aria-labelledby="network-heading" className="network">
      <h2 id="network-heading">Who talks to whom</h2>
      <p className="muted">
        {count(nodes.filter((n) => n.kind === 'device').length, 'device', 'devices')} (squares) and{' '}
        {count(nodes.filter((n) => n.kind === 'person').length, 'person', 'people')} (circles); a
        line is as thick as the messages and calls between them. Select a node to list only its
        links.
      </p>
      <Graph network={network.data} onSelect={setSelected} />
      <table>
        <caption>
          {selected ? `Links of ${label.get(selected)}` : 'Every link'}, busiest first
          {selected && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => setSelected(null)}>
                show all
              </button>
            </>
          )}
          {selected?.startsWith('person:') && (
            <>
              {' · '}
              <button
                type="button"
                className="link"
                onClick={() => onMessagesOf(selected.slice('person:'.length))}
              >
                read their messages
              </button>
            </>
          )}
        </caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Person</th>
            <th scope="col">Messages</th>
            <th scope="col">Calls</th>
          </tr>
        </thead>
        <tbody>
          {[...links]
            .sort((a, b) => weight(b) - weight(a))
            .map((e) => (
              <tr key={`${e.source}|${e.target}`}>
                <td>{label.get(e.source)}</td>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(e.target)}>
                    {label.get(e.target)}
                  </button>
                </td>
                <td>{e.messages}</td>
                <td>{e.calls}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}
