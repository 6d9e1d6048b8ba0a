import { createApp } from 'vue';
import '../shared/ui/base.css';
import App from './App.vue';

createApp(App).mount('#app');
