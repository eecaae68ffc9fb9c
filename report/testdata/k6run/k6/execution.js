// k6/execution as the runner sets it for the iteration being run.
export const state = { vu: 1, iteration: 0 };
export default {
  vu: {
    get idInTest() {
      return state.vu;
    },
    get iterationInScenario() {
      return state.iteration;
    },
  },
};
