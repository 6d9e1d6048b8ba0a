import { createApp } from 'vue';
import '../shared/ui/base.css';
import Options from './Options.vue';

createApp(Options).mount('#app');
