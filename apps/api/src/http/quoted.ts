// The common room's, so that the body reader (common) can cut what it quotes without importing http.
export { clipped, quoted } from '../common/quoted';
