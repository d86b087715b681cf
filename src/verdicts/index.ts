/**
 * Verdicts (issue 15): comparisons with confidence intervals, objectives that know their noise,
 * and adaptive stopping. Pure functions over the result model; docs/verdicts.md explains the method.
 */
export { compareFigure } from './compare.js'
export { compareLevels, compareResults, formatChange } from './many.js'
export type { ResultLike } from './many.js'
export { checkObjective, DEFAULT_CONFIDENCE_MODE } from './objective.js'
export type { ConfidenceMode, ObjectiveCheck, ObjectiveCheckOptions, ObjectiveSpec } from './objective.js'
export { StoppingRule, confidenceSequenceRadius } from './sequential.js'
export { Side } from './side.js'
export type { ObjectiveState, OverSaturationOptions, StopDecision, StoppingOptions } from './sequential.js'
export { DEFAULT_FIGURES, DEFAULT_POINTS_TOLERANCE, DEFAULT_TOLERANCE, figureSpec, requireFigure, toleranceOf } from './figures.js'
export type { FigureSpec } from './figures.js'
export { MAX_BLOCKS, MIN_BLOCKS } from './blocks.js'
export type { CompareOptions, Correction, FigureComparison, LevelComparison, LevelInput, Verdict, VerdictDocument } from './types.js'
