/** `npm run bench`: every benchmark, with its baselines measured in the same run. */
import { historyBench } from './history.bench';
import { receiverBench } from './receiver.bench';
import { rendererBench } from './renderer.bench';
import { teamBench } from './team.bench';

const only = process.argv[2];
const benches = { receiver: receiverBench, history: historyBench, team: teamBench, renderer: rendererBench };
const results: boolean[] = [];
for (const [name, bench] of Object.entries(benches)) {
  if (!only || only === name) results.push(await bench());
}
if (results.includes(false)) {
  console.log('\nSome targets were missed.');
  process.exitCode = 1;
}
