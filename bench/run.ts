/** `npm run bench`: every benchmark, with its baselines measured in the same run. */
import { receiverBench } from './receiver.bench';

const results = [await receiverBench()];
if (results.includes(false)) {
  console.log('\nSome targets were missed.');
  process.exitCode = 1;
}
